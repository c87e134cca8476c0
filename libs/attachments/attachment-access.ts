import { type TenantRepositories } from '../db/database';
import { type CarryingConversation } from '../db/repositories/attachment.repository';
import {
  canAccessConversation,
  canReadAnnouncement,
  canReviewConversation,
  type ConversationRef,
  type Role,
} from '../domain/policy';

export interface AttachmentActor {
  userId: string;
  role: Role;
}

/**
 * How the actor may see an attachment: as its uploader, as a reader of a conversation or an
 * announcement that carries it, or as an administrator reviewing such a conversation for safety (the
 * caller audits that).
 */
export type AttachmentAccess =
  | { allowed: true; via: 'uploader' | 'conversation' | 'announcement' }
  | { allowed: true; via: 'review'; conversationId: string }
  | { allowed: false };

/**
 * Decides, against the current roster, whether the actor may see an attachment of the tenant's
 * district — the same decisions that guard reading the messages and announcements carrying it, so
 * losing access to those (leaving a section) ends access to their files at once.
 */
export async function decideAttachmentAccess(
  tenant: TenantRepositories,
  actor: AttachmentActor,
  attachment: { id: string; uploaderId: string },
): Promise<AttachmentAccess> {
  if (attachment.uploaderId === actor.userId) return { allowed: true, via: 'uploader' };
  if (await readsCarryingAnnouncement(tenant, actor, attachment.id))
    return { allowed: true, via: 'announcement' };
  const conversations = await tenant.attachments.carryingConversations(attachment.id);
  for (const conversation of conversations.filter((c) => isParticipant(actor.userId, c))) {
    const facts = await tenant.rosterFacts.sliceForUsers([
      conversation.participantLowId,
      conversation.participantHighId,
    ]);
    if (
      canAccessConversation(actor.userId, conversationRef(tenant.districtId, conversation), facts).allowed
    ) {
      return { allowed: true, via: 'conversation' };
    }
  }
  if (actor.role === 'district_admin' || actor.role === 'school_admin') {
    for (const conversation of conversations) {
      const facts = await tenant.rosterFacts.sliceForUsers([
        actor.userId,
        conversation.participantLowId,
        conversation.participantHighId,
      ]);
      if (
        canReviewConversation(actor.userId, conversationRef(tenant.districtId, conversation), facts).allowed
      ) {
        return { allowed: true, via: 'review', conversationId: conversation.id };
      }
    }
  }
  return { allowed: false };
}

async function readsCarryingAnnouncement(
  tenant: TenantRepositories,
  actor: AttachmentActor,
  attachmentId: string,
): Promise<boolean> {
  const announcements = await tenant.attachments.carryingAnnouncements(attachmentId);
  if (announcements.length === 0) return false;
  const [delivered, facts] = await Promise.all([
    tenant.attachments.deliveredTo(
      actor.userId,
      announcements.map((a) => a.id),
    ),
    tenant.rosterFacts.sliceForUsers([actor.userId]),
  ]);
  return announcements.some(
    (announcement) =>
      canReadAnnouncement(
        actor.userId,
        { districtId: tenant.districtId, sectionId: announcement.sectionId, authorId: announcement.authorId },
        facts,
        { delivered: delivered.has(announcement.id) },
      ).allowed,
  );
}

function isParticipant(userId: string, conversation: CarryingConversation): boolean {
  return conversation.participantLowId === userId || conversation.participantHighId === userId;
}

function conversationRef(districtId: string, conversation: CarryingConversation): ConversationRef {
  return { districtId, participantIds: [conversation.participantLowId, conversation.participantHighId] };
}
