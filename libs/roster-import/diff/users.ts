import type {
  RosterSchoolRow,
  RosterUserRow,
  UserValues,
} from '../../db/repositories/roster-sync.repository';
import type { RosterSnapshot, RosterUser } from '../../domain/roster';
import { bySourcedId } from './roster-state';

/** The users table's default (in the Prisma schema): what a new user without a stated language gets. */
export const DEFAULT_PREFERRED_LANGUAGE = 'en';

export interface UserUpdate extends UserValues {
  id: string;
  /** The export disables a user who was active: their sessions are revoked with the update. */
  endsAccess: boolean;
}

export interface UserPlan {
  create: UserValues[];
  update: UserUpdate[];
  /**
   * Updates that take a username another user holds right now, together with those holders (whom
   * the same export renames): applied in one transaction that first frees their usernames.
   */
  renames: UserUpdate[];
}

export function usersOf(snapshot: RosterSnapshot): readonly RosterUser[] {
  return snapshot.kind === 'bulk' ? snapshot.users : snapshot.upserts.users;
}

/**
 * A user's school is the first of their orgs that is a school of the district; district-level staff
 * have none. Runs after the schools phase, so the export's schools are all in `schools`.
 */
function schoolIdOf(user: RosterUser, schools: Map<string, RosterSchoolRow>): string | null {
  for (const org of user.orgSourcedIds) {
    const school = schools.get(org);
    if (school) return school.id;
  }
  return null;
}

function valuesOf(
  user: RosterUser,
  row: RosterUserRow | undefined,
  schools: Map<string, RosterSchoolRow>,
): UserValues {
  return {
    sourcedId: user.sourcedId,
    role: user.role,
    username: user.username,
    givenName: user.givenName,
    familyName: user.familyName,
    email: user.email,
    // A blank language column keeps what the person chose in the app (PATCH /v1/me).
    preferredLanguage: user.preferredLanguage ?? row?.preferredLanguage ?? DEFAULT_PREFERRED_LANGUAGE,
    active: user.active,
    schoolId: schoolIdOf(user, schools),
  };
}

function differs(row: RosterUserRow, values: UserValues): boolean {
  return (
    row.role !== values.role ||
    row.username !== values.username ||
    row.givenName !== values.givenName ||
    row.familyName !== values.familyName ||
    row.email !== values.email ||
    row.preferredLanguage !== values.preferredLanguage ||
    row.schoolId !== values.schoolId ||
    row.active !== values.active
  );
}

export function diffUsers(
  snapshot: RosterSnapshot,
  current: { schools: readonly RosterSchoolRow[]; users: readonly RosterUserRow[] },
): UserPlan {
  const schools = bySourcedId(current.schools);
  const existing = bySourcedId(current.users);
  const create: UserValues[] = [];
  const updates: UserUpdate[] = [];
  for (const user of usersOf(snapshot)) {
    const row = existing.get(user.sourcedId);
    const values = valuesOf(user, row, schools);
    if (!row) create.push(values);
    else if (differs(row, values))
      updates.push({ ...values, id: row.id, endsAccess: row.active && !values.active });
  }

  const holderOf = new Map<string, RosterUserRow>();
  for (const row of current.users) if (row.username !== null) holderOf.set(row.username, row);
  const entangled = new Set<string>();
  for (const update of updates) {
    const holder = holderOf.get(update.username);
    if (holder && holder.id !== update.id) {
      entangled.add(update.id);
      entangled.add(holder.id);
    }
  }
  return {
    create,
    update: updates.filter((update) => !entangled.has(update.id)),
    renames: updates.filter((update) => entangled.has(update.id)),
  };
}
