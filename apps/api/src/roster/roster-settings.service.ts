import { Injectable } from '@nestjs/common';
import { Database } from '../../../../libs/db/database';
import { type Principal } from '../common/request-context';
import { type RosterSettingsDto } from './roster-settings.dto';

/** A district's roster settings; every change is audited with the values before and after. */
@Injectable()
export class RosterSettingsService {
  constructor(private readonly db: Database) {}

  get(principal: Principal): Promise<RosterSettingsDto> {
    return this.db.forDistrict(principal.districtId).rosterSettings.get();
  }

  async put(principal: Principal, body: RosterSettingsDto): Promise<RosterSettingsDto> {
    const next = {
      massChangeThresholdPercent: body.massChangeThresholdPercent,
      source: { kind: body.source.kind },
    };
    await this.db.transaction(principal.districtId, async (tenant) => {
      const before = await tenant.rosterSettings.get();
      await tenant.rosterSettings.put(next);
      await tenant.audit.append({
        actorId: principal.userId,
        action: 'roster.settings.updated',
        targetType: 'district',
        targetId: principal.districtId,
        details: { before, after: next },
      });
    });
    return next;
  }
}
