import { canMessage, DEFAULT_POLICY_OPTIONS, type PolicyOptions } from './can-message';
import { ALLOW, deny, type Decision } from './decision';
import { asIndex, type Roster, type RosterIndex } from './roster-facts';
import {
  currentGuardianIdsOfStudent,
  currentMemberIds,
  hasRecipientPath,
  isCurrentTeacherOf,
} from './roster-paths';

export interface AnnouncementRef {
  readonly districtId: string;
  readonly sectionId: string;
  readonly authorId: string;
}

/** Whether a delivery row exists for this reader and announcement (written by the fan-out). */
export interface ReaderDelivery {
  readonly delivered: boolean;
}

/** Only a current teacher of the section, primary or co-teacher, may post to it. */
export function canPostAnnouncement(actorId: string, sectionId: string, roster: Roster): Decision {
  return currentTeacherDecision(asIndex(roster), actorId, sectionId);
}

/** Recipients never see each other: only the section's current teachers may list who received it. */
export function canListAnnouncementRecipients(actorId: string, sectionId: string, roster: Roster): Decision {
  return currentTeacherDecision(asIndex(roster), actorId, sectionId);
}

/**
 * The users an announcement reaches at send time: the section's current students and the guardians
 * currently linked to them, each once, without the author, sorted so batches are reproducible.
 * An inactive or unknown section reaches nobody.
 */
export function announcementRecipients(sectionId: string, authorId: string, roster: Roster): string[] {
  const index = asIndex(roster);
  const section = index.sectionsById.get(sectionId);
  if (!section?.active) return [];
  const recipients = new Set<string>();
  for (const studentId of currentMemberIds(index, sectionId, 'student')) {
    recipients.add(studentId);
    for (const guardianId of currentGuardianIdsOfStudent(index, studentId)) recipients.add(guardianId);
  }
  recipients.delete(authorId);
  return [...recipients].sort();
}

/**
 * The author and the section's current teachers may always read; a recipient may read while they
 * still have a path to the section, so leaving the section (or losing the guardian link) ends access
 * to what was received through it.
 */
export function canReadAnnouncement(
  readerId: string,
  announcement: AnnouncementRef,
  roster: Roster,
  delivery: ReaderDelivery,
): Decision {
  const index = asIndex(roster);
  const reader = index.usersById.get(readerId);
  if (!reader) return deny('unknown_user');
  if (!reader.active) return deny('actor_inactive');
  if (reader.districtId !== announcement.districtId) return deny('cross_district');
  if (readerId === announcement.authorId) return ALLOW;
  if (isCurrentTeacherOf(index, readerId, announcement.sectionId)) return ALLOW;
  return currentRecipientDecision(index, readerId, announcement, delivery);
}

/**
 * A current reader other than the author may reply; the reply opens a one-to-one conversation with
 * the author, so it is allowed only where that conversation would be usable now ({@link canMessage}):
 * a recipient whose announcement's author no longer teaches them (removed from the section, say) can
 * still read what they received but no longer reply. Only teachers post, so an author of any other
 * role (a malformed reference) receives no replies.
 */
export function canReplyToAnnouncement(
  actorId: string,
  announcement: AnnouncementRef,
  roster: Roster,
  delivery: ReaderDelivery,
  options: PolicyOptions = DEFAULT_POLICY_OPTIONS,
): Decision {
  if (actorId === announcement.authorId) return deny('is_author');
  const index = asIndex(roster);
  const read = canReadAnnouncement(actorId, announcement, index, delivery);
  if (!read.allowed) return read;
  const author = index.usersById.get(announcement.authorId);
  if (!author) return deny('unknown_user');
  if (author.role !== 'teacher') return deny('role_pair_not_allowed');
  return canMessage(actorId, announcement.authorId, index, options);
}

function currentRecipientDecision(
  index: RosterIndex,
  userId: string,
  announcement: AnnouncementRef,
  delivery: ReaderDelivery,
): Decision {
  if (!delivery.delivered) return deny('not_a_recipient');
  return hasRecipientPath(index, userId, announcement.sectionId) ? ALLOW : deny('no_current_path_to_section');
}

function currentTeacherDecision(index: RosterIndex, actorId: string, sectionId: string): Decision {
  const actor = index.usersById.get(actorId);
  if (!actor) return deny('unknown_user');
  if (!actor.active) return deny('actor_inactive');
  const section = index.sectionsById.get(sectionId);
  if (!section) return deny('unknown_section');
  if (section.districtId !== actor.districtId) return deny('cross_district');
  if (!section.active) return deny('section_inactive');
  return isCurrentTeacherOf(index, actorId, sectionId) ? ALLOW : deny('not_a_teacher_of_section');
}
