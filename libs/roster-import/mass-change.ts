import type {
  RosterSchoolRow,
  RosterSectionRow,
  RosterUserRow,
} from '../db/repositories/roster-sync.repository';
import { type RosterBulkSnapshot, type RosterSnapshot } from '../domain/roster';
import { emptyCounts, type RosterImportCounts } from '../domain/roster-import/counts';
import {
  diffGuardianLinks,
  diffMemberships,
  diffSchools,
  diffSections,
  diffUsers,
  planRemovals,
  type RosterDbState,
} from './diff';
import { isRosterManagedUser } from './diff/roster-state';

/**
 * What applying `snapshot` to `current` would change, counter by counter, without writing anything:
 * the phases' own diffs run in order over an in-memory copy that each phase's plan updates, the way
 * the database would be updated by the phase before. Rows the export would create get stand-in ids.
 */
export function previewRosterChanges(snapshot: RosterSnapshot, current: RosterDbState): RosterImportCounts {
  const counts = emptyCounts();
  const pendingId = (kind: string, sourcedId: string) => `pending:${kind}:${sourcedId}`;

  const schoolPlan = diffSchools(snapshot, current.schools);
  counts.schoolsCreated = schoolPlan.create.length;
  counts.schoolsUpdated = schoolPlan.update.length;
  const schoolUpdates = new Map(schoolPlan.update.map((school) => [school.id, school]));
  const schools: RosterSchoolRow[] = [
    ...current.schools.map((row) =>
      schoolUpdates.has(row.id) ? { ...row, ...schoolUpdates.get(row.id), active: true } : row,
    ),
    ...schoolPlan.create.map((school) => ({
      ...school,
      id: pendingId('school', school.sourcedId),
      active: true,
    })),
  ];

  const sectionPlan = diffSections(snapshot, { schools, sections: current.sections });
  counts.sectionsCreated = sectionPlan.create.length;
  counts.sectionsUpdated = sectionPlan.update.length;
  const sectionUpdates = new Map(sectionPlan.update.map((section) => [section.id, section]));
  const sections: RosterSectionRow[] = [
    ...current.sections.map((row) =>
      sectionUpdates.has(row.id) ? { ...row, ...sectionUpdates.get(row.id), active: true } : row,
    ),
    ...sectionPlan.create.map((section) => ({
      ...section,
      id: pendingId('section', section.sourcedId),
      active: true,
    })),
  ];

  const userPlan = diffUsers(snapshot, { schools, users: current.users });
  counts.usersCreated = userPlan.create.length;
  counts.usersUpdated = userPlan.update.length + userPlan.renames.length;
  const userUpdates = new Map([...userPlan.update, ...userPlan.renames].map((user) => [user.id, user]));
  const users: RosterUserRow[] = [
    ...current.users.map((row) => {
      const update = userUpdates.get(row.id);
      if (!update) return row;
      const { endsAccess: _endsAccess, ...values } = update;
      return { ...row, ...values };
    }),
    ...userPlan.create.map((user) => ({ ...user, id: pendingId('user', user.sourcedId) })),
  ];

  const membershipPlan = diffMemberships(snapshot, { sections, users, memberships: current.memberships });
  counts.enrollmentsAdded = membershipPlan.add.length;
  counts.enrollmentsUpdated = membershipPlan.update.length;
  counts.enrollmentsRemoved = membershipPlan.remove.length;

  const linkPlan = diffGuardianLinks(snapshot, { users, guardianLinks: current.guardianLinks });
  counts.guardianLinksAdded = linkPlan.add.length;
  counts.guardianLinksRemoved = linkPlan.remove.length;

  const removals = planRemovals(snapshot, { schools, sections, users });
  counts.usersRemoved = removals.users.length;
  counts.sectionsRemoved = removals.sections.length;
  counts.schoolsRemoved = removals.schools.length;
  return counts;
}

/** The removals a decision needs; for a bulk export they are exact and cheap (see bulkRemovals). */
export type RemovalCounts = Pick<
  RosterImportCounts,
  'usersRemoved' | 'enrollmentsRemoved' | 'sectionsRemoved' | 'schoolsRemoved'
>;

/**
 * What a bulk export would remove, counted without the full preview, so the common case (a nightly
 * export with little change) pays for one pass over the memberships rather than every phase's diff
 * twice. Exact for a bulk export: the rows it lacks are what the removals and memberships phases end,
 * and rows the export would create have no memberships yet.
 */
export function bulkRemovals(
  snapshot: RosterBulkSnapshot,
  current: Pick<RosterDbState, 'schools' | 'sections' | 'users'>,
  memberships: readonly { sectionId: string; userId: string }[],
): RemovalCounts {
  const removals = planRemovals(snapshot, current);
  const managedSections = new Map<string, string>();
  for (const section of current.sections)
    if (section.sourcedId !== null) managedSections.set(section.id, section.sourcedId);
  const managedUsers = new Map<string, string>();
  for (const user of current.users) if (isRosterManagedUser(user)) managedUsers.set(user.id, user.sourcedId!);
  // Users kept per section, by sourcedId: no pair strings to build for every enrollment.
  const kept = new Map<string, Set<string>>();
  for (const membership of snapshot.memberships) {
    let users = kept.get(membership.sectionSourcedId);
    if (!users) kept.set(membership.sectionSourcedId, (users = new Set()));
    users.add(membership.userSourcedId);
  }
  let enrollmentsRemoved = 0;
  for (const row of memberships) {
    const section = managedSections.get(row.sectionId);
    if (section === undefined) continue;
    const user = managedUsers.get(row.userId);
    if (user !== undefined && kept.get(section)?.has(user) !== true) enrollmentsRemoved++;
  }
  return {
    usersRemoved: removals.users.length,
    enrollmentsRemoved,
    sectionsRemoved: removals.sections.length,
    schoolsRemoved: removals.schools.length,
  };
}

/** Why an import is held: the removals that exceed the district's share, and deactivated schools. */
export type MassChangeReason = 'usersRemoved' | 'enrollmentsRemoved' | 'schoolsRemoved';

/**
 * The reasons `pending` is a mass change for a district whose roster is `current`: more than
 * `thresholdPercent` of its active roster users or of its enrollments removed, or any school
 * deactivated. A district with nothing yet (a first import) has nothing to lose.
 */
export function massChangeReasons(
  pending: RemovalCounts,
  current: { users: RosterDbState['users']; membershipCount: number },
  thresholdPercent: number,
): MassChangeReason[] {
  const activeUsers = current.users.filter((user) => user.active && isRosterManagedUser(user)).length;
  const exceeds = (removed: number, of: number) => removed > 0 && removed * 100 > of * thresholdPercent;
  const reasons: MassChangeReason[] = [];
  if (exceeds(pending.usersRemoved, activeUsers)) reasons.push('usersRemoved');
  if (exceeds(pending.enrollmentsRemoved, current.membershipCount)) reasons.push('enrollmentsRemoved');
  if (pending.schoolsRemoved > 0) reasons.push('schoolsRemoved');
  return reasons;
}

/**
 * A confirmed import applies what the admin saw. If the roster moved since (a confirmation days
 * later), it is re-diffed: it is held again only when it would now remove more of anything than was
 * confirmed.
 */
export function exceedsConfirmed(pending: RosterImportCounts, confirmed: RosterImportCounts): boolean {
  return (
    [
      'usersRemoved',
      'enrollmentsRemoved',
      'schoolsRemoved',
      'sectionsRemoved',
      'guardianLinksRemoved',
    ] as const
  ).some((key) => pending[key] > confirmed[key]);
}
