import { Injectable } from '@nestjs/common';
import { Database } from '../../../../libs/db/database';
import {
  ForbiddenError,
  NotFoundError,
  ValidationFailedError,
} from '../../../../libs/domain/errors/domain-errors';
import { canMessage } from '../../../../libs/domain/policy';
import { type Principal } from '../common/request-context';

const PAGE_SIZE = 50;

@Injectable()
export class ConversationService {
  constructor(private readonly db: Database) {}

  /** Opens (or returns) the one-to-one conversation with another user, if the roster allows it now. */
  async open(principal: Principal, participantId: string) {
    if (participantId === principal.userId) {
      throw new ValidationFailedError('A conversation needs another participant.', [
        { field: 'participantId', message: 'must be someone else' },
      ]);
    }
    const tenant = this.db.forDistrict(principal.districtId);
    if (!(await tenant.users.findProfile(participantId))) throw new NotFoundError('The user');
    const facts = await tenant.rosterFacts.sliceForUsers([principal.userId, participantId]);
    const decision = canMessage(principal.userId, participantId, facts);
    if (!decision.allowed) throw new ForbiddenError('You cannot message this person.');
    return tenant.conversations.findOrCreate(principal.userId, participantId);
  }

  async list(principal: Principal, before?: { lastMessageAt: Date; id: string }) {
    const items = await this.db
      .forDistrict(principal.districtId)
      .conversations.listForUser(principal.userId, { limit: PAGE_SIZE, before });
    return { items, hasMore: items.length === PAGE_SIZE };
  }
}
