import type { RosterBulkSnapshot, RosterSkippedCounts } from './types';

/** What a bulk snapshot holds, in numbers: the generator's promise and the benchmarks' yardstick. */
export interface RosterCounts {
  schools: number;
  sections: number;
  users: { teacher: number; student: number; guardian: number; inactive: number };
  memberships: { teacher: number; student: number; primaryTeacher: number };
  guardianLinks: number;
  skipped: RosterSkippedCounts;
}

export function countSnapshot(snapshot: RosterBulkSnapshot): RosterCounts {
  const users = { teacher: 0, student: 0, guardian: 0, inactive: 0 };
  for (const user of snapshot.users) {
    users[user.role]++;
    if (!user.active) users.inactive++;
  }
  const memberships = { teacher: 0, student: 0, primaryTeacher: 0 };
  for (const membership of snapshot.memberships) {
    memberships[membership.role]++;
    if (membership.role === 'teacher' && membership.isPrimary) memberships.primaryTeacher++;
  }
  return {
    schools: snapshot.schools.length,
    sections: snapshot.sections.length,
    users,
    memberships,
    guardianLinks: snapshot.guardianLinks.length,
    skipped: { ...snapshot.skipped },
  };
}
