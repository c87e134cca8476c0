import { type DbClient } from '../db-client';

export interface DistrictSettings {
  announcementsPerTeacherPerHour: number | null;
  anomalyBroadcastRecipients: number | null;
}

/** Districts are the tenants themselves; only operators (the CLI) create them. */
export class DistrictRepository {
  constructor(private readonly prisma: DbClient) {}

  create(name: string): Promise<{ id: string }> {
    return this.prisma.district.create({ data: { name }, select: { id: true } });
  }

  async exists(id: string): Promise<boolean> {
    return (await this.prisma.district.count({ where: { id } })) === 1;
  }

  /** A district's own settings; null where it keeps the configured default. Null for an unknown district. */
  settings(id: string): Promise<DistrictSettings | null> {
    return this.prisma.district.findUnique({
      where: { id },
      select: { announcementsPerTeacherPerHour: true, anomalyBroadcastRecipients: true },
    });
  }

  /** Changes the settings given (null: back to the default); null when there is no such district. */
  async updateSettings(id: string, changes: Partial<DistrictSettings>): Promise<DistrictSettings | null> {
    const { count } = await this.prisma.district.updateMany({ where: { id }, data: changes });
    return count === 1 ? this.settings(id) : null;
  }
}
