import { canMessage, DEFAULT_POLICY_OPTIONS, type PolicyOptions } from './can-message';
import { ALLOW, deny, type Decision } from './decision';
import { asIndex, type Roster } from './roster-facts';

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
 * conversation of their district. A school admin may review a conversation of their district when at
 * least one participant has a membership (teacher or student) in an active section of the admin's
 * school; guardians belong to no section, so their conversations are reached through the teacher on
 * the other side. The participant's own active flag does not matter: a deactivated account's
 * conversations stay reviewable. A school admin without a school reviews nothing.
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
  const participantInSchool = conversation.participantIds.some((participantId) =>
    (index.membershipsByUser.get(participantId) ?? []).some((membership) => {
      const section = index.sectionsById.get(membership.sectionId);
      return (
        section !== undefined &&
        section.active &&
        section.schoolId === schoolId &&
        section.districtId === reviewer.districtId
      );
    }),
  );
  return participantInSchool ? ALLOW : deny('no_participant_in_school');
}
