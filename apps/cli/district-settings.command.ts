import { type Database } from '../../libs/db/database';
import { NotFoundError, ValidationFailedError } from '../../libs/errors/domain-errors';
import { type ParsedArgs, requireUuidFlag } from './args';
import { type Command } from './commands';

const ANNOUNCEMENTS_FLAG = 'announcements-per-teacher-per-hour';
/** The same ceiling as QUOTA_ANNOUNCEMENTS_PER_TEACHER_PER_HOUR's. */
const MAX_ANNOUNCEMENTS_PER_TEACHER_PER_HOUR = 100_000;

/**
 * `homeroom district settings --district <id> [--announcements-per-teacher-per-hour <n>|default]`:
 * shows a district's own settings, or changes them (audited). `default` goes back to the configured
 * QUOTA_ANNOUNCEMENTS_PER_TEACHER_PER_HOUR; null in the output means the district uses it.
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

function parseChanges(args: ParsedArgs): { announcementsPerTeacherPerHour: number | null } | null {
  const value = args.flags[ANNOUNCEMENTS_FLAG];
  if (value === undefined) return null;
  if (value === 'default') return { announcementsPerTeacherPerHour: null };
  const n = /^\d{1,9}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= MAX_ANNOUNCEMENTS_PER_TEACHER_PER_HOUR)) {
    throw new ValidationFailedError(
      `--${ANNOUNCEMENTS_FLAG} must be a whole number from 1 to ${MAX_ANNOUNCEMENTS_PER_TEACHER_PER_HOUR}, or default.`,
    );
  }
  return { announcementsPerTeacherPerHour: n };
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
