import { canMessage, DEFAULT_POLICY_OPTIONS, type PolicyOptions } from './can-message';
import { ALLOW, deny, type Decision, type DenyReason } from './decision';
import { asIndex, type Roster, type RosterIndex } from './roster-facts';
import { hasRecipientPath } from './roster-paths';
import { conversationSchoolIds } from './school-scope';

/**
 * How a conversation began. A reply to an announcement names the section it was posted to and its
 * author, so the replier keeps the conversation for as long as they remain a recipient of the section.
 */
export type ConversationOrigin =
  | { readonly kind: 'direct' }
  | { readonly kind: 'announcement_reply'; readonly sectionId: string; readonly authorId: string };

export interface ConversationRef {
  readonly districtId: string;
  readonly participantIds: readonly [string, string];
  readonly origin: ConversationOrigin;
}

/** Denials about the people themselves, which no conversation origin can lift. */
const IDENTITY_DENIALS: ReadonlySet<DenyReason> = new Set<DenyReason>([
  'self',
  'unknown_user',
  'actor_inactive',
  'target_inactive',
  'cross_district',
]);

/**
 * Reading, sending and downloading in a conversation all take the same decision, re-checked against
 * the current roster each time: the actor is a participant and the pair may still message each other
 * ({@link canMessage}). History is not kept open once the relationship ends, because the design says
 * access through a section ends at once when someone leaves it. A conversation that began as an
 * announcement reply also stays open while the replier (the participant who is not the author) is
 * still a current recipient of the section and the author is still a teacher; a malformed origin
 * naming a non-teacher or a non-participant as author opens nothing.
 */
export function canAccessConversation(
  actorId: string,
  conversation: ConversationRef,
  roster: Roster,
  options: PolicyOptions = DEFAULT_POLICY_OPTIONS,
): Decision {
  const [first, second] = conversation.participantIds;
  if (actorId !== first && actorId !== second) return deny('not_a_participant');
  const otherId = actorId === first ? second : first;
  const index = asIndex(roster);
  const actor = index.usersById.get(actorId);
  if (!actor) return deny('unknown_user');
  if (actor.districtId !== conversation.districtId) return deny('cross_district');
  const direct = canMessage(actorId, otherId, index, options);
  if (direct.allowed || IDENTITY_DENIALS.has(direct.reason)) return direct;
  const origin = conversation.origin;
  if (origin.kind === 'announcement_reply' && replierStillReached(index, origin, actorId, otherId)) {
    return ALLOW;
  }
  return direct;
}

function replierStillReached(
  index: RosterIndex,
  origin: { readonly sectionId: string; readonly authorId: string },
  actorId: string,
  otherId: string,
): boolean {
  if (origin.authorId !== actorId && origin.authorId !== otherId) return false;
  if (index.usersById.get(origin.authorId)?.role !== 'teacher') return false;
  const replierId = origin.authorId === actorId ? otherId : actorId;
  return hasRecipientPath(index, replierId, origin.sectionId);
}

/**
 * Safety review by administrators, who are never participants. A district admin may review every
 * conversation of their district. A school admin may review a conversation of their district when one
 * of its students (a student participant, or a child of a guardian participant) is enrolled in an
 * active section of the admin's school ({@link conversationSchoolIds}); a teacher who also teaches
 * there does not bring their other conversations with them. The participants' own active flags do not
 * matter: a deactivated account's conversations stay reviewable. A school admin without a school
 * reviews nothing.
 */
export function canReviewConversation(
  reviewerId: string,
  conversation: ConversationRef,
  roster: Roster,
): Decision {
  const index = asIndex(roster);
  const reviewer = index.usersById.get(reviewerId);
  if (!reviewer) return deny('unknown_user');
  if (!reviewer.active) return deny('actor_inactive');
  if (reviewer.districtId !== conversation.districtId) return deny('cross_district');
  if (reviewer.role === 'district_admin') return ALLOW;
  if (reviewer.role !== 'school_admin') return deny('not_an_admin');
  const schoolId = reviewer.schoolId;
  if (!schoolId) return deny('no_school_assigned');
  return conversationSchoolIds(reviewer.districtId, conversation.participantIds, index).includes(schoolId)
    ? ALLOW
    : deny('no_participant_in_school');
}
