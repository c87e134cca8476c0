import { Inject, Injectable } from '@nestjs/common';
import { type ApiConfig } from '../../../../libs/config/config';
import { Database, type TenantRepositories } from '../../../../libs/db/database';
import { ValidationFailedError } from '../../../../libs/domain/errors/domain-errors';
import {
  DEFAULT_ROSTER_API_SCHEDULE,
  OneRosterSourceInvalidError,
  type OneRosterSourceSettings,
  validateOneRosterSource,
} from '../../../../libs/adapters/oneroster-api/settings';
import { type Principal } from '../common/request-context';
import { API_CONFIG } from '../common/tokens';
import { type RosterSettingsDto, type RosterSourceDto } from './roster-settings.dto';

/**
 * A district's roster settings; every change is audited with the values before and after. The source
 * is what the OneRoster REST source table says (the worker reads it too): a stored API source, or CSV.
 */
@Injectable()
export class RosterSettingsService {
  constructor(
    private readonly db: Database,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  get(principal: Principal): Promise<RosterSettingsDto> {
    return this.read(this.db.forDistrict(principal.districtId));
  }

  async put(principal: Principal, body: RosterSettingsDto): Promise<RosterSettingsDto> {
    const apiSource = body.source.kind === 'oneroster-api' ? this.validated(body.source) : null;
    return this.db.transaction(principal.districtId, async (tenant) => {
      const before = await this.read(tenant);
      await tenant.rosterSettings.put({
        massChangeThresholdPercent: body.massChangeThresholdPercent,
        source: { kind: 'csv' },
      });
      if (apiSource) await tenant.rosterApiSource.save(apiSource);
      else await tenant.rosterApiSource.remove();
      const after = await this.read(tenant);
      await tenant.audit.append({
        actorId: principal.userId,
        action: 'roster.settings.updated',
        targetType: 'district',
        targetId: principal.districtId,
        details: { before, after },
      });
      return after;
    });
  }

  private async read(tenant: TenantRepositories): Promise<RosterSettingsDto> {
    const [settings, api] = await Promise.all([tenant.rosterSettings.get(), tenant.rosterApiSource.find()]);
    return {
      massChangeThresholdPercent: settings.massChangeThresholdPercent,
      source: api
        ? {
            kind: 'oneroster-api',
            baseUrl: api.baseUrl,
            tokenUrl: api.tokenUrl,
            clientId: api.clientId,
            secretRef: api.secretRef,
            schedule: api.schedule,
          }
        : { kind: 'csv' },
    };
  }

  private validated(source: RosterSourceDto): OneRosterSourceSettings {
    try {
      return validateOneRosterSource(
        { ...source, kind: undefined, schedule: source.schedule ?? DEFAULT_ROSTER_API_SCHEDULE },
        this.config.HOMEROOM_ENV,
      );
    } catch (error) {
      if (!(error instanceof OneRosterSourceInvalidError)) throw error;
      throw new ValidationFailedError(
        `Invalid OneRoster source: ${error.problems.join('; ')}.`,
        error.problems.map((message) => ({ field: 'source', message })),
      );
    }
  }
}
