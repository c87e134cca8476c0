import { Injectable } from '@nestjs/common';
import { Database } from '../../../../libs/db/database';
import { ValidationFailedError } from '../../../../libs/errors/domain-errors';
import { adminScopeOf } from '../common/admin-scope';
import { decodeCursor, encodeCursor } from '../common/cursor';
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
  constructor(private readonly db: Database) {}

  async list(principal: Principal, cursor: string | undefined): Promise<SecurityAlertPageDto> {
    const key = decodeCursor(cursor, ['createdAt', 'id'] as const);
    const before = key ? { createdAt: new Date(key.createdAt), id: key.id } : undefined;
    if (before && Number.isNaN(before.createdAt.getTime()))
      throw new ValidationFailedError('The cursor is not valid.');
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
          ? encodeCursor({ createdAt: last.createdAt.toISOString(), id: last.id })
          : null,
    };
  }
}
