import { canMessage, DEFAULT_POLICY_OPTIONS, type PolicyOptions } from './can-message';
import { ALLOW, deny, type Decision } from './decision';
import { asIndex, type Roster } from './roster-facts';
import { conversationSchoolIds } from './school-scope';

/**
 * A stored one-to-one conversation as the policy sees it. How it began (a direct message, a reply to
 * an announcement) is deliberately absent: it grants nothing (DESIGN.md invariant 10).
 */
export interface ConversationRef {
  readonly districtId: string;
  readonly participantIds: readonly [string, string];
}

/**
 * Reading, sending and downloading in a conversation all take the same decision, re-checked against
 * the current roster each time: the actor is a participant and the pair may message each other now
 * ({@link canMessage}), whatever opened the conversation. A thread a reply to an announcement opened
 * therefore stays open only while its author still teaches a section the replier is still reached by
 * (a student of it, or a guardian linked to one): exactly the pairs {@link canMessage} allows, so a
 * teacher removed from the section, a guardian whose child left it, a deactivated user or section
 * (a deactivated school deactivates its sections) ends it on the next request.
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
  return canMessage(actorId, otherId, index, options);
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
