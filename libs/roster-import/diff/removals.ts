import type {
  RosterSchoolRow,
  RosterSectionRow,
  RosterUserRow,
} from '../../db/repositories/roster-sync.repository';
import type { RosterSnapshot } from '../../domain/roster';
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
 * (no sourcedId) are never removed for themselves, but a school that leaves takes every active section
 * of it along (hand-made ones included), so nobody keeps access through a school that is gone; so does
 * a school that left earlier, should a delta have brought back a section of it without the school.
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
  const activeSections = current.sections.filter((section) => section.active);
  const activeSourcedSections = activeSections.filter((section) => section.sourcedId !== null);
  const activeSchools = current.schools.filter((school) => school.active && school.sourcedId !== null);
  const leaving = <T extends { id: string; sourcedId: string | null }>(
    rows: T[],
    gone: (sourcedId: string) => boolean,
  ) => rows.filter((row) => gone(row.sourcedId as string)).map((row) => row.id);
  const inactiveSchools = current.schools.filter((school) => !school.active).map((school) => school.id);
  const withSectionsOfSchools = (sectionIds: string[], schoolIds: string[]): RemovalPlan['sections'] => {
    const schools = new Set([...schoolIds, ...inactiveSchools]);
    const ids = new Set(sectionIds);
    for (const section of activeSections) if (schools.has(section.schoolId)) ids.add(section.id);
    return [...ids];
  };

  if (snapshot.kind === 'bulk') {
    const users = new Set(snapshot.users.map((user) => user.sourcedId));
    const sections = new Set(snapshot.sections.map((section) => section.sourcedId));
    const schools = new Set(snapshot.schools.map((school) => school.sourcedId));
    const schoolsLeaving = leaving(activeSchools, (id) => !schools.has(id));
    return {
      users: leaving(activeManagedUsers, (id) => !users.has(id)),
      sections: withSectionsOfSchools(
        leaving(activeSourcedSections, (id) => !sections.has(id)),
        schoolsLeaving,
      ),
      schools: schoolsLeaving,
    };
  }
  const users = new Set(snapshot.deletions.users);
  const sections = new Set(snapshot.deletions.sections);
  const orgs = new Set(snapshot.deletions.orgs);
  const schoolsLeaving = leaving(activeSchools, (id) => orgs.has(id));
  return {
    users: leaving(activeManagedUsers, (id) => users.has(id)),
    sections: withSectionsOfSchools(
      leaving(activeSourcedSections, (id) => sections.has(id)),
      schoolsLeaving,
    ),
    schools: schoolsLeaving,
  };
}
