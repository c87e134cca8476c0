import type {
  RosterSchoolRow,
  RosterSectionRow,
  RosterUserRow,
} from '../../db/repositories/roster-sync.repository';
import type { RosterFileError, RosterSnapshot, RosterUnresolvedReference } from '../../domain/roster';
import { bySourcedId, isRosterRole } from './roster-state';
import { usersOf } from './users';

const USERS_FILE = 'users.csv';

/**
 * What the parser cannot know: whether the export fits the district's database. Problems are reported
 * like parse errors (file, line, message naming sourcedIds only) and refuse the whole export, before
 * anything is written. Rows without a line of their own (a user's username) are reported on line 0.
 */
export function checkAgainstDatabase(
  snapshot: RosterSnapshot,
  current: {
    schools: readonly RosterSchoolRow[];
    sections: readonly RosterSectionRow[];
    users: readonly RosterUserRow[];
  },
): RosterFileError[] {
  const users = bySourcedId(current.users);
  const errors: RosterFileError[] = [];
  if (snapshot.kind === 'delta') {
    const schools = bySourcedId(current.schools);
    const sections = bySourcedId(current.sections);
    for (const reference of snapshot.unresolvedReferences) {
      const message = unresolvedProblem(reference, { schools, sections, users });
      if (message) errors.push({ file: reference.file, line: reference.line, message });
    }
  }

  const exported = new Map(usersOf(snapshot).map((user) => [user.sourcedId, user]));
  for (const user of exported.values()) {
    const row = users.get(user.sourcedId);
    if (row && !isRosterRole(row.role)) {
      errors.push({
        file: USERS_FILE,
        line: 0,
        message: `sourcedId '${user.sourcedId}' belongs to an administrator account of the district: an export cannot change administrators`,
      });
    }
  }

  const holders = new Map<string, RosterUserRow>();
  for (const row of current.users) if (row.username !== null) holders.set(row.username, row);
  for (const user of exported.values()) {
    const holder = holders.get(user.username);
    if (!holder || holder.sourcedId === user.sourcedId) continue;
    // The export renames the holder (usernames within one export are unique): the name becomes free.
    if (holder.sourcedId !== null && exported.has(holder.sourcedId)) continue;
    errors.push({
      file: USERS_FILE,
      line: 0,
      message: `the username of user '${user.sourcedId}' is already used by another account of the district that this export does not rename`,
    });
  }
  return errors;
}

function unresolvedProblem(
  reference: RosterUnresolvedReference,
  known: {
    schools: Map<string, RosterSchoolRow>;
    sections: Map<string, RosterSectionRow>;
    users: Map<string, RosterUserRow>;
  },
): string | null {
  switch (reference.kind) {
    case 'school':
      return known.schools.has(reference.sourcedId)
        ? null
        : `schoolSourcedId '${reference.sourcedId}' is neither in this delta nor a school of the district`;
    case 'section':
      return known.sections.has(reference.sourcedId)
        ? null
        : `classSourcedId '${reference.sourcedId}' is neither in this delta nor a class of the district`;
    case 'user': {
      const user = known.users.get(reference.sourcedId);
      if (!user) return `user '${reference.sourcedId}' is neither in this delta nor in the district's roster`;
      if (reference.expectedRole !== null && user.role !== reference.expectedRole) {
        return `user '${reference.sourcedId}' is a ${user.role} in the district's roster, not a ${reference.expectedRole}`;
      }
      return null;
    }
  }
}
