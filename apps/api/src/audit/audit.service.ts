import { Injectable } from '@nestjs/common';
import { Database } from '../../../../libs/db/database';
import { type Principal } from '../common/request-context';

const PAGE_SIZE = 100;

@Injectable()
export class AuditService {
  constructor(private readonly db: Database) {}

  /** Reading the audit log is itself an admin read, and is recorded in it. */
  async list(principal: Principal, afterSeq?: bigint) {
    const tenant = this.db.forDistrict(principal.districtId);
    const items = await tenant.audit.list({ afterSeq, limit: PAGE_SIZE });
    await tenant.audit.append({
      actorId: principal.userId,
      action: 'audit.read',
      details: { afterSeq: afterSeq?.toString() ?? null, rows: items.length },
    });
    return { items, hasMore: items.length === PAGE_SIZE };
  }

  verify(principal: Principal) {
    return this.db.forDistrict(principal.districtId).audit.verify();
  }
}
