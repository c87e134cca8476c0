import { Injectable } from '@nestjs/common';
import { Database } from '../../../../libs/db/database';
import { NotFoundError } from '../../../../libs/domain/errors/domain-errors';
import { type Principal } from '../common/request-context';

@Injectable()
export class SessionService {
  constructor(private readonly db: Database) {}

  list(principal: Principal) {
    return this.db.forDistrict(principal.districtId).sessions.listLiveForUser(principal.userId, new Date());
  }

  /** Someone else's session id is not found: it answers exactly like an unknown one. */
  async revoke(principal: Principal, sessionId: string): Promise<void> {
    await this.db.transaction(principal.districtId, async (tx) => {
      if (!(await tx.sessions.revokeOwn(principal.userId, sessionId, new Date()))) {
        throw new NotFoundError('The session');
      }
      await tx.audit.append({
        actorId: principal.userId,
        action: 'session.revoked',
        targetType: 'session',
        targetId: sessionId,
        details: { current: sessionId === principal.sessionId },
      });
    });
  }
}
