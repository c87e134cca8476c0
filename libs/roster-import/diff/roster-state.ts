import type {
  RosterGuardianLinkRow,
  RosterMembershipRow,
  RosterSchoolRow,
  RosterSectionRow,
  RosterUserRow,
} from '../../db/repositories/roster-sync.repository';
import type { RosterRole } from '../../domain/roster';

/** The district's roster tables as loaded for one phase; each phase loads only what it compares. */
export interface RosterDbState {
  schools: readonly RosterSchoolRow[];
  sections: readonly RosterSectionRow[];
  users: readonly RosterUserRow[];
  memberships: readonly RosterMembershipRow[];
  guardianLinks: readonly RosterGuardianLinkRow[];
}

/** Roles an export manages. Admins are never created, changed or removed by one. */
export const ROSTER_ROLES: readonly RosterRole[] = ['student', 'teacher', 'guardian'];

export function isRosterRole(role: string): role is RosterRole {
  return (ROSTER_ROLES as readonly string[]).includes(role);
}

/** Rows that came from an export (they carry its sourcedId), keyed by it. */
export function bySourcedId<T extends { sourcedId: string | null }>(rows: readonly T[]): Map<string, T> {
  const map = new Map<string, T>();
  for (const row of rows) if (row.sourcedId !== null) map.set(row.sourcedId, row);
  return map;
}

/**
 * A user the roster owns: one with a sourcedId and a roster role. Only these are ever deactivated for
 * missing from an export, and only their memberships and links are compared.
 */
export function isRosterManagedUser(user: RosterUserRow): boolean {
  return user.sourcedId !== null && isRosterRole(user.role);
}

export function pairKey(a: string, b: string): string {
  return `${a}\u0000${b}`;
}

/** Throws when the database lacks something an earlier phase (or validation) guaranteed. */
export function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) {
    throw new Error(
      `${what} is missing from the database: an earlier phase did not finish, or the roster changed meanwhile`,
    );
  }
  return value;
}
