export { ALLOW, DENY_REASONS, deny, isAllowed } from './decision';
export type { Allowed, Decision, Denied, DenyReason } from './decision';
export { asIndex, indexRoster, sliceForPair, sliceForSection, sliceForUsers } from './roster-facts';
export type {
  GuardianLink,
  Role,
  Roster,
  RosterFacts,
  RosterIndex,
  RosterSection,
  RosterUser,
  SectionMembership,
  SectionRole,
} from './roster-facts';
export { canMessage, DEFAULT_POLICY_OPTIONS } from './can-message';
export type { PolicyOptions } from './can-message';
export {
  announcementRecipients,
  canListAnnouncementRecipients,
  canPostAnnouncement,
  canReadAnnouncement,
  canReplyToAnnouncement,
} from './announcements';
export type { AnnouncementRef, ReaderDelivery } from './announcements';
export { canAccessConversation, canReviewConversation } from './conversations';
export type { ConversationRef } from './conversations';
export { conversationSchoolIds, userSchoolIds } from './school-scope';
