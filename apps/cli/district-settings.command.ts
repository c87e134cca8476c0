import { type Database } from '../../libs/db/database';
import { type DistrictSettings } from '../../libs/db/repositories/district.repository';
import { NotFoundError, ValidationFailedError } from '../../libs/domain/errors/domain-errors';
import { type ParsedArgs, requireUuidFlag } from './args';
import { type Command } from './command';

/** Each setting's flag, its field, and the same ceiling as its configuration variable's. */
const SETTINGS = [
  {
    flag: 'announcements-per-teacher-per-hour',
    field: 'announcementsPerTeacherPerHour',
    max: 100_000,
  },
  {
    flag: 'anomaly-broadcast-recipients',
    field: 'anomalyBroadcastRecipients',
    max: 10_000_000,
  },
] as const satisfies readonly { flag: string; field: keyof DistrictSettings; max: number }[];

/**
 * `homeroom district settings --district <id> [--announcements-per-teacher-per-hour <n>|default]
 * [--anomaly-broadcast-recipients <n>|default]`: shows a district's own settings, or changes them
 * (audited). `default` goes back to the configured QUOTA_ANNOUNCEMENTS_PER_TEACHER_PER_HOUR or
 * ANOMALY_BROADCAST_RECIPIENTS; null in the output means the district uses it.
 */
export const districtSettingsCommand: Command = async ({ db, args }) => {
  const districtId = requireUuidFlag(args, 'district');
  const changes = parseChanges(args);
  const settings = changes
    ? await db.districts.updateSettings(districtId, changes)
    : await db.districts.settings(districtId);
  if (!settings) throw new NotFoundError('The district');
  if (changes) await audit(db, districtId, changes);
  return { districtId, ...settings };
};

function parseChanges(args: ParsedArgs): Partial<DistrictSettings> | null {
  const changes: Partial<DistrictSettings> = {};
  for (const { flag, field, max } of SETTINGS) {
    const value = args.flags[flag];
    if (value === undefined) continue;
    if (value === 'default') {
      changes[field] = null;
      continue;
    }
    const n = /^\d{1,9}$/.test(value) ? Number(value) : NaN;
    if (!(n >= 1 && n <= max)) {
      throw new ValidationFailedError(`--${flag} must be a whole number from 1 to ${max}, or default.`);
    }
    changes[field] = n;
  }
  return Object.keys(changes).length > 0 ? changes : null;
}

async function audit(
  db: Database,
  districtId: string,
  changes: Record<string, number | null>,
): Promise<void> {
  await db.forDistrict(districtId).audit.append({
    action: 'district.settings_changed',
    targetType: 'district',
    targetId: districtId,
    details: changes,
  });
}
