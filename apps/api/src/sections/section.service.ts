import { Injectable } from '@nestjs/common';
import { Database } from '../../../../libs/db/database';
import { ForbiddenError, NotFoundError } from '../../../../libs/domain/errors/domain-errors';
import { canListAnnouncementRecipients } from '../../../../libs/domain/policy';
import { type Principal } from '../common/request-context';

@Injectable()
export class SectionService {
  constructor(private readonly db: Database) {}

  list(principal: Principal) {
    return this.db.forDistrict(principal.districtId).sections.listForUser(principal.userId);
  }

  /** The roster of a section is for its current teachers only: recipients never see each other. */
  async members(principal: Principal, sectionId: string) {
    const tenant = this.db.forDistrict(principal.districtId);
    const section = await tenant.sections.findById(sectionId);
    if (!section) throw new NotFoundError('The section');
    const facts = await tenant.rosterFacts.sliceForUsers([principal.userId]);
    const decision = canListAnnouncementRecipients(principal.userId, sectionId, facts);
    if (!decision.allowed) throw new ForbiddenError('Only the teachers of this section can see its members.');
    return tenant.sections.listMembers(sectionId);
  }
}
