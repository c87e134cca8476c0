import type {
  MembershipValues,
  RosterMembershipRow,
  RosterSectionRow,
  RosterUserRow,
} from '../../db/repositories/roster-sync.repository';
import type { RosterDeltaSnapshot, RosterMembership, RosterSnapshot } from '../../domain/roster';
import { bySourcedId, isRosterManagedUser, pairKey, required } from './roster-state';

export interface MembershipPlan {
  add: MembershipValues[];
  /** Role, lead-teacher flag or enrollment sourcedId changed. */
  update: (MembershipValues & { id: string })[];
  /** Membership ids to delete: access through the section ends with the row. */
  remove: string[];
}

interface Current {
  sections: readonly RosterSectionRow[];
  users: readonly RosterUserRow[];
  memberships: readonly RosterMembershipRow[];
}

/** Runs after the sections and users phases: every section and user the export names exists. */
export function diffMemberships(snapshot: RosterSnapshot, current: Current): MembershipPlan {
  const sections = bySourcedId(current.sections);
  const users = bySourcedId(current.users);
  const toValues = (membership: RosterMembership): MembershipValues => ({
    sectionId: required(sections.get(membership.sectionSourcedId), `section ${membership.sectionSourcedId}`)
      .id,
    userId: required(users.get(membership.userSourcedId), `user ${membership.userSourcedId}`).id,
    role: membership.role,
    isPrimary: membership.isPrimary,
    sourcedId: membership.sourcedId,
  });
  const targets = snapshot.kind === 'bulk' ? snapshot.memberships : snapshot.upserts.memberships;
  const target = new Map<string, MembershipValues>();
  for (const membership of targets) {
    const values = toValues(membership);
    target.set(pairKey(values.sectionId, values.userId), values);
  }

  const plan: MembershipPlan = { add: [], update: [], remove: [] };
  const existing = new Map(current.memberships.map((row) => [pairKey(row.sectionId, row.userId), row]));
  for (const [key, values] of target) {
    const row = existing.get(key);
    if (!row) plan.add.push(values);
    else if (
      row.role !== values.role ||
      row.isPrimary !== values.isPrimary ||
      row.sourcedId !== values.sourcedId
    ) {
      plan.update.push({ ...values, id: row.id });
    }
  }

  const leaving =
    snapshot.kind === 'bulk' ? bulkLeavers(current) : deltaLeavers(snapshot, current, sections, users);
  for (const row of current.memberships) {
    if (leaving(row) && !target.has(pairKey(row.sectionId, row.userId))) plan.remove.push(row.id);
  }
  return plan;
}

/**
 * A bulk export is the whole truth for the rows it manages: a membership between a roster section
 * and a roster user that the export lacks has ended. Hand-made sections and accounts are left alone.
 */
function bulkLeavers(current: Current): (row: RosterMembershipRow) => boolean {
  const managedSections = new Set(current.sections.filter((s) => s.sourcedId !== null).map((s) => s.id));
  const managedUsers = new Set(current.users.filter(isRosterManagedUser).map((u) => u.id));
  return (row) => managedSections.has(row.sectionId) && managedUsers.has(row.userId);
}

/**
 * A delta ends the memberships it deletes (by enrollment sourcedId, else by the class and user the
 * deletion row names), every membership of the users and sections it deletes, and memberships that
 * no longer fit the role a restated user now has.
 */
function deltaLeavers(
  snapshot: RosterDeltaSnapshot,
  current: Current,
  sections: Map<string, RosterSectionRow>,
  users: Map<string, RosterUserRow>,
): (row: RosterMembershipRow) => boolean {
  const deletedEnrollments = new Set(snapshot.deletions.memberships.map((deletion) => deletion.sourcedId));
  const knownEnrollments = new Set(
    current.memberships.map((row) => row.sourcedId).filter((id): id is string => id !== null),
  );
  const deletedPairs = new Set<string>();
  for (const deletion of snapshot.deletions.memberships) {
    if (knownEnrollments.has(deletion.sourcedId)) continue;
    if (deletion.sectionSourcedId === null || deletion.userSourcedId === null) continue;
    const section = sections.get(deletion.sectionSourcedId);
    const user = users.get(deletion.userSourcedId);
    if (section && user) deletedPairs.add(pairKey(section.id, user.id));
  }
  const idsOf = <T extends { id: string }>(sourcedIds: readonly string[], rows: Map<string, T>) =>
    new Set(sourcedIds.map((id) => rows.get(id)?.id).filter((id): id is string => id !== undefined));
  const deletedSections = idsOf(snapshot.deletions.sections, sections);
  const deletedUsers = idsOf(snapshot.deletions.users, users);
  const restatedRole = new Map<string, string>();
  for (const user of snapshot.upserts.users) {
    const row = users.get(user.sourcedId);
    if (row) restatedRole.set(row.id, user.role);
  }
  return (row) => {
    const role = restatedRole.get(row.userId);
    return (
      (row.sourcedId !== null && deletedEnrollments.has(row.sourcedId)) ||
      deletedPairs.has(pairKey(row.sectionId, row.userId)) ||
      deletedSections.has(row.sectionId) ||
      deletedUsers.has(row.userId) ||
      (role !== undefined && role !== row.role)
    );
  };
}
