import { type Prisma } from '../generated/client';
import { type DbClient } from '../db-client';

/** The default share of users or enrollments an import may remove before it is held (issue 18). */
export const DEFAULT_MASS_CHANGE_THRESHOLD_PERCENT = 10;

/** Where the district's roster comes from; each kind carries its own fields. */
export type RosterSourceSetting = { kind: 'csv' };

export interface RosterSettingsRecord {
  massChangeThresholdPercent: number;
  source: RosterSourceSetting;
}

/** A district's roster settings; a district that never saved any gets the defaults. */
export class RosterSettingsRepository {
  constructor(
    private readonly prisma: DbClient,
    private readonly districtId: string,
  ) {}

  async get(): Promise<RosterSettingsRecord> {
    const row = await this.prisma.rosterSettings.findUnique({
      where: { districtId: this.districtId },
      select: { massChangeThresholdPercent: true, source: true },
    });
    if (!row)
      return { massChangeThresholdPercent: DEFAULT_MASS_CHANGE_THRESHOLD_PERCENT, source: { kind: 'csv' } };
    return {
      massChangeThresholdPercent: row.massChangeThresholdPercent,
      source: row.source as unknown as RosterSourceSetting,
    };
  }

  async put(settings: RosterSettingsRecord): Promise<void> {
    const data = {
      massChangeThresholdPercent: settings.massChangeThresholdPercent,
      source: settings.source as unknown as Prisma.InputJsonValue,
    };
    await this.prisma.rosterSettings.upsert({
      where: { districtId: this.districtId },
      create: { districtId: this.districtId, ...data },
      update: data,
    });
  }
}
