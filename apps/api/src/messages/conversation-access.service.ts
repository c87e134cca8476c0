import { Injectable } from '@nestjs/common';
import { Database, type TenantRepositories } from '../../../../libs/db/database';
import { type ConversationAccessRecord } from '../../../../libs/db/repositories/conversation.repository';
import { ForbiddenError, NotFoundError } from '../../../../libs/domain/errors/domain-errors';
import { canAccessConversation, type ConversationRef } from '../../../../libs/domain/policy';
import { type Principal } from '../common/request-context';

/** The source language recorded when a sender's preference is unknown. */
export const DEFAULT_LANGUAGE = 'en';

/** The policy's view of a stored conversation. */
export function toConversationRef(
  districtId: string,
  conversation: ConversationAccessRecord,
): ConversationRef {
  return { districtId, participantIds: [conversation.participantLowId, conversation.participantHighId] };
}

/**
 * Reading and sending in a conversation, re-decided against the current roster on every request. To
 * anyone but its two participants a conversation does not exist (404); a participant whose
 * relationship has ended (someone left the section) is refused (403).
 */
@Injectable()
export class ConversationAccessService {
  constructor(private readonly db: Database) {}

  async require(
    principal: Principal,
    conversationId: string,
  ): Promise<{
    tenant: TenantRepositories;
    conversation: ConversationAccessRecord;
    /** The caller's and the other participant's preferred languages, from the same read. */
    languages: { caller: string; other: string };
  }> {
    const tenant = this.db.forDistrict(principal.districtId);
    const context = await tenant.conversations.findAccessContext(conversationId);
    const conversation = context?.conversation;
    if (
      !context ||
      !conversation ||
      (conversation.participantLowId !== principal.userId &&
        conversation.participantHighId !== principal.userId)
    ) {
      throw new NotFoundError('The conversation');
    }
    const decision = canAccessConversation(
      principal.userId,
      toConversationRef(principal.districtId, conversation),
      context.facts,
    );
    if (!decision.allowed) throw new ForbiddenError('You can no longer message in this conversation.');
    const otherId =
      conversation.participantLowId === principal.userId
        ? conversation.participantHighId
        : conversation.participantLowId;
    return {
      tenant,
      conversation,
      languages: {
        caller: context.languages.get(principal.userId) ?? DEFAULT_LANGUAGE,
        other: context.languages.get(otherId) ?? DEFAULT_LANGUAGE,
      },
    };
  }
}
