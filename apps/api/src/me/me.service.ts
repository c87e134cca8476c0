import { Injectable } from '@nestjs/common';
import { Database } from '../../../../libs/db/database';
import { NotFoundError } from '../../../../libs/domain/errors/domain-errors';
import { type Principal } from '../common/request-context';

@Injectable()
export class MeService {
  constructor(private readonly db: Database) {}

  async profile(principal: Principal) {
    const user = await this.db.forDistrict(principal.districtId).users.findProfile(principal.userId);
    if (!user) throw new NotFoundError('The user');
    return user;
  }

  async setPreferredLanguage(principal: Principal, preferredLanguage: string) {
    await this.db
      .forDistrict(principal.districtId)
      .users.setPreferredLanguage(principal.userId, preferredLanguage);
    return this.profile(principal);
  }
}
