import { Injectable } from '@nestjs/common';
import { SecurityAlerts } from '../../../../libs/alerts/security-alerts';
import { Database } from '../../../../libs/db/database';
import { ConflictError, ForbiddenError, NotFoundError } from '../../../../libs/domain/errors/domain-errors';
import { isAdminRole } from '../../../../libs/identity/admin-roles';
import { AlertDeliveryStarter } from '../alerts/alert-delivery.starter';
import { adminScopeOf } from '../common/admin-scope';
import { type Principal } from '../common/request-context';

/**
 * The kill switch for a hijacked account (DESIGN.md invariant 11): suspension ends every session of the
 * user in the same transaction and the session lookup refuses suspended users, so the next request
 * with any of their tokens is a 401. A district admin suspends anyone of the district but themselves;
 * a school admin the non-admin users of their own school. Each step is audited and raises an alert,
 * so a suspension by a hijacked admin account is seen too.
 */
@Injectable()
export class UserSuspensionService {
  constructor(
    private readonly db: Database,
    private readonly alertDelivery: AlertDeliveryStarter,
  ) {}

  async suspend(principal: Principal, userId: string, reason: string): Promise<void> {
    const target = await this.findInScope(principal, userId);
    if (target.id === principal.userId) throw new ForbiddenError('You cannot suspend your own account.');
    const now = new Date();
    const alertId = await this.db.transaction(principal.districtId, async (tx) => {
      if (!(await tx.users.suspend(target.id, principal.userId, now))) {
        throw new ConflictError('ALREADY_SUSPENDED', 'The account is already suspended.');
      }
      const sessionsEnded = await tx.sessions.revokeAllForUser(target.id, now);
      const alertId = await new SecurityAlerts(tx).accountSuspended(target.id, {
        role: target.role,
        suspendedBy: principal.userId,
        sessionsEnded,
      });
      await tx.audit.append({
        actorId: principal.userId,
        action: 'user.suspended',
        targetType: 'user',
        targetId: target.id,
        details: { reason, sessionsEnded, alertId },
      });
      return alertId;
    });
    await this.alertDelivery.deliver(principal.districtId, alertId);
  }

  async reinstate(principal: Principal, userId: string): Promise<void> {
    const target = await this.findInScope(principal, userId);
    const alertId = await this.db.transaction(principal.districtId, async (tx) => {
      if (!(await tx.users.reinstate(target.id))) {
        throw new ConflictError('NOT_SUSPENDED', 'The account is not suspended.');
      }
      const alertId = await new SecurityAlerts(tx).accountReinstated(target.id, {
        role: target.role,
        reinstatedBy: principal.userId,
      });
      await tx.audit.append({
        actorId: principal.userId,
        action: 'user.reinstated',
        targetType: 'user',
        targetId: target.id,
      });
      return alertId;
    });
    await this.alertDelivery.deliver(principal.districtId, alertId);
  }

  /** Users outside the admin's district or school are not found (404), as everywhere else. */
  private async findInScope(principal: Principal, userId: string) {
    const tenant = this.db.forDistrict(principal.districtId);
    const target = await tenant.users.findProfile(userId);
    if (!target) throw new NotFoundError('The user');
    const scope = await adminScopeOf(principal, tenant);
    if (scope.kind === 'school') {
      if (scope.schoolId === null || target.schoolId !== scope.schoolId) throw new NotFoundError('The user');
      if (isAdminRole(target.role)) throw new ForbiddenError('School admins cannot suspend administrators.');
    }
    return target;
  }
}
