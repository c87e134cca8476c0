import { loadCliConfig } from '../../libs/config/config';
import { NotFoundError, ValidationFailedError } from '../../libs/domain/errors/domain-errors';
import {
  DEFAULT_ROSTER_API_SCHEDULE,
  OneRosterSourceInvalidError,
  validateOneRosterSource,
} from '../../libs/adapters/oneroster-api/settings';
import { requireFlag, requireUuidFlag } from './args';
import { type Command } from './command';

/**
 * `homeroom roster source set --district <id> --base-url <url> --token-url <url> --client-id <id>
 * --secret-ref env:ROSTER_API_SECRET_<NAME>|file:<name> [--schedule "<cron>"]` stores (audited) a
 * district's OneRoster REST source; `homeroom roster source show --district <id>` prints it. The
 * client secret itself never passes through here: only the name of where the worker finds it.
 * `roster source remove --district <id>` goes back to CSV only. The worker creates, updates or deletes
 * the district's Schedule when it starts; until then a removed source's runs skip (`no-source`).
 */
export const rosterSourceCommand: Command = async ({ db, args, env }) => {
  const verb = args.positionals[2];
  const districtId = requireUuidFlag(args, 'district');
  if (!(await db.districts.exists(districtId))) throw new NotFoundError('The district');
  const tenant = db.forDistrict(districtId);
  if (verb === 'show') {
    const source = await tenant.rosterApiSource.find();
    return { districtId, source: source && { kind: 'oneroster-api', ...view(source) } };
  }
  if (verb === 'remove') {
    const removed = await db.transaction(districtId, async (scoped) => {
      if (!(await scoped.rosterApiSource.remove())) return false;
      await scoped.audit.append({
        action: 'roster.source_changed',
        targetType: 'district',
        targetId: districtId,
        details: { kind: 'csv' },
      });
      return true;
    });
    return { districtId, removed, source: null };
  }
  if (verb !== 'set') {
    throw new ValidationFailedError(
      'Use "roster source set", "roster source show" or "roster source remove".',
    );
  }

  let settings;
  try {
    settings = validateOneRosterSource(
      {
        baseUrl: requireFlag(args, 'base-url'),
        tokenUrl: requireFlag(args, 'token-url'),
        clientId: requireFlag(args, 'client-id'),
        secretRef: requireFlag(args, 'secret-ref'),
        schedule: args.flags.schedule ?? DEFAULT_ROSTER_API_SCHEDULE,
      },
      loadCliConfig(env).HOMEROOM_ENV,
    );
  } catch (error) {
    if (error instanceof OneRosterSourceInvalidError)
      throw new ValidationFailedError(error.problems.join('; '));
    throw error;
  }
  const saved = await db.transaction(districtId, async (scoped) => {
    const stored = await scoped.rosterApiSource.save(settings);
    await scoped.audit.append({
      action: 'roster.source_changed',
      targetType: 'district',
      targetId: districtId,
      details: { kind: 'oneroster-api', ...settings },
    });
    return stored;
  });
  return { districtId, source: { kind: 'oneroster-api', ...view(saved) } };
};

function view(source: {
  baseUrl: string;
  tokenUrl: string;
  clientId: string;
  secretRef: string;
  schedule: string;
  updatedAt: Date;
}) {
  return {
    baseUrl: source.baseUrl,
    tokenUrl: source.tokenUrl,
    clientId: source.clientId,
    secretRef: source.secretRef,
    schedule: source.schedule,
    updatedAt: source.updatedAt.toISOString(),
  };
}
