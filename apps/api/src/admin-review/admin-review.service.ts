import { Injectable } from '@nestjs/common';
import { Database } from '../../../../libs/db/database';
import { ForbiddenError, NotFoundError } from '../../../../libs/domain/errors/domain-errors';
import { canReviewConversation } from '../../../../libs/domain/policy';
import { type Principal } from '../common/request-context';
import { toConversationRef } from '../messages/conversation-access.service';
import { MessageService, type MessageView } from '../messages/message.service';

/**
 * Safety review: admins read a conversation they are not part of. Every read (every page) is an audit
 * event, written before the messages are returned, so nothing is shown that the log does not record.
 */
@Injectable()
export class AdminReviewService {
  constructor(
    private readonly db: Database,
    private readonly messageService: MessageService,
  ) {}

  async conversationMessages(
    principal: Principal,
    conversationId: string,
    before?: { createdAt: Date; id: string },
  ): Promise<{ items: MessageView[]; hasMore: boolean }> {
    const tenant = this.db.forDistrict(principal.districtId);
    const conversation = await tenant.conversations.findForAccess(conversationId);
    if (!conversation) throw new NotFoundError('The conversation');
    const facts = await tenant.rosterFacts.sliceForUsers([
      principal.userId,
      conversation.participantLowId,
      conversation.participantHighId,
    ]);
    const decision = canReviewConversation(
      principal.userId,
      toConversationRef(principal.districtId, conversation),
      facts,
    );
    if (!decision.allowed) throw new ForbiddenError('You may not review this conversation.');
    await tenant.audit.append({
      actorId: principal.userId,
      action: 'conversation.reviewed',
      targetType: 'conversation',
      targetId: conversationId,
      details: { page: before ? 'next' : 'first' },
    });
    return this.messageService.page(tenant, conversationId, before);
  }
}
