import { Inject, Injectable } from '@nestjs/common';
import { type ApiConfig } from '../../../../libs/config/config';
import { Database } from '../../../../libs/db/database';
import { type UserRole } from '../../../../libs/db/types';
import { ForbiddenError, NotFoundError } from '../../../../libs/domain/errors/domain-errors';
import { isAdminRole } from '../../../../libs/identity/admin-roles';
import { issueInvitation, type IssuedInvitation } from '../../../../libs/identity/invitations';
import { adminScopeOf } from '../common/admin-scope';
import { CursorCodec } from '../common/cursor';
import { type Principal } from '../common/request-context';
import { QuotaService } from '../quotas/quota.service';
import { API_CONFIG } from '../common/tokens';

export interface UserListQuery {
  role?: UserRole;
  sourcedId?: string;
  cursor?: string;
  limit: number;
}

/**
 * User administration for district admins (the whole district) and school admins (users of their own
 * school; they cannot invite administrators or reset their passwords, since either sets the password).
 * Users of other districts are never found (404); so are users outside a school admin's school.
 */
@Injectable()
export class AdminUserService {
  constructor(
    private readonly db: Database,
    private readonly cursors: CursorCodec,
    private readonly quotas: QuotaService,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async list(principal: Principal, query: UserListQuery) {
    const tenant = this.db.forDistrict(principal.districtId);
    const scope = await adminScopeOf(principal, tenant);
    const afterId = this.cursors.decodeId(query.cursor);
    const rows =
      scope.kind === 'school' && scope.schoolId === null
        ? []
        : await tenant.users.list({
            role: query.role,
            sourcedId: query.sourcedId,
            schoolId: scope.kind === 'school' ? (scope.schoolId ?? undefined) : undefined,
            afterId,
            limit: query.limit + 1,
          });
    const items = rows.slice(0, query.limit);
    const last = items[items.length - 1];
    const nextCursor = rows.length > query.limit && last ? this.cursors.encodeId(last.id) : null;
    await tenant.audit.append({
      actorId: principal.userId,
      action: 'admin.users.listed',
      details: {
        count: items.length,
        role: query.role ?? null,
        bySourcedId: query.sourcedId !== undefined,
        continued: afterId !== undefined,
      },
    });
    return { items, nextCursor };
  }

  /** Activates an account that has no password yet; an active one answers 409 ALREADY_ACTIVE. */
  invite(principal: Principal, userId: string): Promise<IssuedInvitation> {
    return this.issue(principal, userId, 'invitation');
  }

  /** Replaces an account's password by a one-time token; the user's sessions end at once. */
  resetPassword(principal: Principal, userId: string): Promise<IssuedInvitation> {
    return this.issue(principal, userId, 'password_reset');
  }

  private async issue(
    principal: Principal,
    userId: string,
    kind: 'invitation' | 'password_reset',
  ): Promise<IssuedInvitation> {
    const tenant = this.db.forDistrict(principal.districtId);
    const target = await tenant.users.findProfile(userId);
    if (!target) throw new NotFoundError('The user');
    const scope = await adminScopeOf(principal, tenant);
    if (scope.kind === 'school') {
      if (scope.schoolId === null || target.schoolId !== scope.schoolId) throw new NotFoundError('The user');
      if (isAdminRole(target.role)) {
        throw new ForbiddenError('School admins cannot invite administrators or reset their passwords.');
      }
    }
    return this.quotas.within(principal, 'invitations', () =>
      issueInvitation(this.db, principal.districtId, {
        userId: target.id,
        issuedById: principal.userId,
        ttlHours: this.config.INVITATION_TTL_HOURS,
        kind,
      }),
    );
  }
}
