import type { RosterGuardianLinkRow, RosterUserRow } from '../../db/repositories/roster-sync.repository';
import type { RosterSnapshot } from '../../domain/roster';
import { bySourcedId, isRosterManagedUser, pairKey, required } from './roster-state';

export interface GuardianLinkPlan {
  add: { guardianId: string; studentId: string }[];
  /** Link ids to delete: the guardian stops reaching the student's teachers at once. */
  remove: string[];
}

/**
 * Bulk: the export's links are all the links between roster users. Delta: its links are added; each
 * user it restates keeps exactly the links it states for them (a restated row restates the whole
 * agentSourcedIds list, see RosterDeltaSnapshot.linkSetsRestatedFor; a teacher keeps none), and the
 * users it deletes lose theirs.
 */
export function diffGuardianLinks(
  snapshot: RosterSnapshot,
  current: { users: readonly RosterUserRow[]; guardianLinks: readonly RosterGuardianLinkRow[] },
): GuardianLinkPlan {
  const users = bySourcedId(current.users);
  const idOf = (sourcedId: string) => required(users.get(sourcedId), `user ${sourcedId}`).id;
  const links = snapshot.kind === 'bulk' ? snapshot.guardianLinks : snapshot.upserts.guardianLinks;
  const target = new Map<string, { guardianId: string; studentId: string }>();
  for (const link of links) {
    const pair = { guardianId: idOf(link.guardianSourcedId), studentId: idOf(link.studentSourcedId) };
    target.set(pairKey(pair.guardianId, pair.studentId), pair);
  }

  const existing = new Set(current.guardianLinks.map((row) => pairKey(row.guardianId, row.studentId)));
  const plan: GuardianLinkPlan = {
    add: [...target].filter(([key]) => !existing.has(key)).map(([, p]) => p),
    remove: [],
  };

  let governs: (userId: string) => boolean;
  if (snapshot.kind === 'bulk') {
    const managed = new Set(current.users.filter(isRosterManagedUser).map((user) => user.id));
    governs = (userId) => managed.has(userId);
  } else {
    const restatedOrDeleted = new Set(
      [...snapshot.upserts.users.map((user) => user.sourcedId), ...snapshot.deletions.users]
        .map((sourcedId) => users.get(sourcedId)?.id)
        .filter((id): id is string => id !== undefined),
    );
    governs = (userId) => restatedOrDeleted.has(userId);
  }
  for (const row of current.guardianLinks) {
    if (target.has(pairKey(row.guardianId, row.studentId))) continue;
    const ends =
      snapshot.kind === 'bulk'
        ? governs(row.guardianId) && governs(row.studentId)
        : governs(row.guardianId) || governs(row.studentId);
    if (ends) plan.remove.push(row.id);
  }
  return plan;
}
