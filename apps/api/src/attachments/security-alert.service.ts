import { Injectable } from '@nestjs/common';
import { Database } from '../../../../libs/db/database';
import { adminScopeOf } from '../common/admin-scope';
import { CursorCodec } from '../common/cursor';
import { type Principal } from '../common/request-context';
import { type SecurityAlertPageDto, toSecurityAlertDto } from './attachment.dto';

const PAGE_SIZE = 50;

/**
 * Security alerts for administrators, newest first: a district admin sees the district's, a school
 * admin those raised on uploads by people of their school (alerts name uploaders and files, which
 * another school's admin has no business seeing).
 */
@Injectable()
export class SecurityAlertService {
  constructor(
    private readonly db: Database,
    private readonly cursors: CursorCodec,
  ) {}

  async list(principal: Principal, cursor: string | undefined): Promise<SecurityAlertPageDto> {
    const before = this.cursors.decodeCreatedAt(cursor);
    const tenant = this.db.forDistrict(principal.districtId);
    const scope = await adminScopeOf(principal, tenant);
    if (scope.kind === 'school' && scope.schoolId === null) return { items: [], nextCursor: null };
    const items = await tenant.securityAlerts.list({
      limit: PAGE_SIZE,
      before,
      schoolId: scope.kind === 'school' ? (scope.schoolId ?? undefined) : undefined,
    });
    const last = items.at(-1);
    return {
      items: items.map(toSecurityAlertDto),
      nextCursor:
        items.length === PAGE_SIZE && last
          ? this.cursors.encodeTime({ at: last.createdAt, id: last.id })
          : null,
    };
  }
}
