import { randomUUID } from 'node:crypto';
import type {
  RosterGuardianLinkRow,
  RosterMembershipRow,
  RosterSchoolRow,
  RosterSectionRow,
  RosterUserRow,
} from '../../../libs/db/repositories/roster-sync.repository';
import {
  diffGuardianLinks,
  diffMemberships,
  diffSchools,
  diffSections,
  diffUsers,
  planRemovals,
  type RosterDbState,
} from '../../../libs/roster-import/diff';
import type { RosterSnapshot } from '../../../libs/domain/roster';

/** A district's roster tables as plain arrays: what the diff functions read, for unit tests. */
export interface InMemoryRoster extends RosterDbState {
  schools: RosterSchoolRow[];
  sections: RosterSectionRow[];
  users: RosterUserRow[];
  memberships: RosterMembershipRow[];
  guardianLinks: RosterGuardianLinkRow[];
}

export function emptyRoster(): InMemoryRoster {
  return { schools: [], sections: [], users: [], memberships: [], guardianLinks: [] };
}

/**
 * Applies every phase's plan the way the repository's statements do (the importer's order), and
 * returns how many rows each plan named. The oracle side of the tests is {@link rosterView}.
 */
export function applyAllPhases(state: InMemoryRoster, snapshot: RosterSnapshot): Record<string, number> {
  const sizes: Record<string, number> = {};
  const schools = diffSchools(snapshot, state.schools);
  for (const update of schools.update)
    Object.assign(byId(state.schools, update.id), { name: update.name, active: true });
  for (const school of schools.create)
    state.schools.push({ id: randomUUID(), sourcedId: school.sourcedId, name: school.name, active: true });

  const sections = diffSections(snapshot, state);
  for (const update of sections.update) {
    Object.assign(byId(state.sections, update.id), {
      title: update.title,
      schoolId: update.schoolId,
      active: true,
    });
  }
  for (const section of sections.create) state.sections.push({ id: randomUUID(), ...section, active: true });

  const users = diffUsers(snapshot, state);
  for (const update of users.renames) byId(state.users, update.id).username = null;
  for (const update of [...users.renames, ...users.update]) {
    const { id, endsAccess: _endsAccess, ...values } = update;
    Object.assign(byId(state.users, id), values);
  }
  for (const user of users.create) state.users.push({ id: randomUUID(), ...user });

  const memberships = diffMemberships(snapshot, state);
  state.memberships = state.memberships.filter((row) => !memberships.remove.includes(row.id));
  for (const update of memberships.update) Object.assign(byId(state.memberships, update.id), update);
  for (const membership of memberships.add) state.memberships.push({ id: randomUUID(), ...membership });

  const links = diffGuardianLinks(snapshot, state);
  state.guardianLinks = state.guardianLinks.filter((row) => !links.remove.includes(row.id));
  for (const link of links.add) state.guardianLinks.push({ id: randomUUID(), ...link });

  const removals = planRemovals(snapshot, state);
  for (const id of removals.users) byId(state.users, id).active = false;
  for (const id of removals.sections) byId(state.sections, id).active = false;
  for (const id of removals.schools) byId(state.schools, id).active = false;

  Object.assign(sizes, {
    schools: schools.create.length + schools.update.length,
    sections: sections.create.length + sections.update.length,
    users: users.create.length + users.update.length + users.renames.length,
    memberships: memberships.add.length + memberships.update.length + memberships.remove.length,
    guardianLinks: links.add.length + links.remove.length,
    removals: removals.users.length + removals.sections.length + removals.schools.length,
  });
  return sizes;
}

/** The roster by sourcedIds only (no generated ids), sorted: equal views mean equal rosters. */
export function rosterView(state: InMemoryRoster) {
  const sourced = <T extends { id: string; sourcedId: string | null }>(rows: T[], id: string) =>
    rows.find((row) => row.id === id)?.sourcedId ?? `(unsourced ${id})`;
  const sort = <T>(rows: T[]) => rows.map((row) => JSON.stringify(row)).sort();
  return {
    schools: sort(state.schools.map(({ id: _id, ...school }) => school)),
    sections: sort(
      state.sections.map(({ id: _id, schoolId, ...section }) => ({
        ...section,
        school: sourced(state.schools, schoolId),
      })),
    ),
    users: sort(
      state.users.map(({ id: _id, schoolId, ...user }) => ({
        ...user,
        school: schoolId === null ? null : sourced(state.schools, schoolId),
      })),
    ),
    memberships: sort(
      state.memberships.map(({ id: _id, sectionId, userId, ...membership }) => ({
        ...membership,
        section: sourced(state.sections, sectionId),
        user: sourced(state.users, userId),
      })),
    ),
    guardianLinks: sort(
      state.guardianLinks.map((link) => ({
        guardian: sourced(state.users, link.guardianId),
        student: sourced(state.users, link.studentId),
      })),
    ),
  };
}

function byId<T extends { id: string }>(rows: T[], id: string): T {
  const row = rows.find((candidate) => candidate.id === id);
  if (!row) throw new Error(`no row ${id}`);
  return row;
}
