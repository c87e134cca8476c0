import type {
  RosterSchoolRow,
  RosterSectionRow,
  RosterUserRow,
} from '../../db/repositories/roster-sync.repository';
import type { RosterSnapshot } from '../../roster';
import { isRosterManagedUser } from './roster-state';

/** Ids to deactivate: rows stay (with their history), access through them ends. */
export interface RemovalPlan {
  users: string[];
  sections: string[];
  schools: string[];
}

/**
 * Bulk: active roster rows the export lacks have left. Delta: the rows it deletes (a deleted org that
 * is not a school of the district is ignored: Homeroom keeps no other orgs). Admins and hand-made rows
 * (no sourcedId) are never touched.
 */
export function planRemovals(
  snapshot: RosterSnapshot,
  current: {
    schools: readonly RosterSchoolRow[];
    sections: readonly RosterSectionRow[];
    users: readonly RosterUserRow[];
  },
): RemovalPlan {
  const activeManagedUsers = current.users.filter((user) => user.active && isRosterManagedUser(user));
  const activeSections = current.sections.filter((section) => section.active && section.sourcedId !== null);
  const activeSchools = current.schools.filter((school) => school.active && school.sourcedId !== null);
  const leaving = <T extends { id: string; sourcedId: string | null }>(
    rows: T[],
    gone: (sourcedId: string) => boolean,
  ) => rows.filter((row) => gone(row.sourcedId as string)).map((row) => row.id);

  if (snapshot.kind === 'bulk') {
    const users = new Set(snapshot.users.map((user) => user.sourcedId));
    const sections = new Set(snapshot.sections.map((section) => section.sourcedId));
    const schools = new Set(snapshot.schools.map((school) => school.sourcedId));
    return {
      users: leaving(activeManagedUsers, (id) => !users.has(id)),
      sections: leaving(activeSections, (id) => !sections.has(id)),
      schools: leaving(activeSchools, (id) => !schools.has(id)),
    };
  }
  const users = new Set(snapshot.deletions.users);
  const sections = new Set(snapshot.deletions.sections);
  const orgs = new Set(snapshot.deletions.orgs);
  return {
    users: leaving(activeManagedUsers, (id) => users.has(id)),
    sections: leaving(activeSections, (id) => sections.has(id)),
    schools: leaving(activeSchools, (id) => orgs.has(id)),
  };
}
