import { Injectable } from '@nestjs/common';
import { ALERT_KINDS, SecurityAlerts } from '../../../../libs/alerts/security-alerts';
import { Database } from '../../../../libs/db/database';
import { ConflictError, NotFoundError } from '../../../../libs/domain/errors/domain-errors';
import { AlertDeliveryStarter } from '../alerts/alert-delivery.starter';
import { adminScopeOf } from '../common/admin-scope';
import { type Principal } from '../common/request-context';
import { AnnouncementFanOutStarter } from './announcement-fan-out.starter';

/**
 * The other half of the kill switch (DESIGN.md invariant 11): an announcement sent from a hijacked
 * account is withdrawn in one step. The status change commits first, so from that moment recipients
 * get 404 and no longer list it, its files are no longer reachable through it, and delivery batches
 * write nothing more (see DeliveryRepository.writeBatch); then the fan-out workflow is cancelled.
 * The author and admins still see it, as `retracted`, and the audit log keeps the step.
 */
@Injectable()
export class AnnouncementRetractionService {
  constructor(
    private readonly db: Database,
    private readonly fanOut: AnnouncementFanOutStarter,
    private readonly alertDelivery: AlertDeliveryStarter,
  ) {}

  async retract(
    principal: Principal,
    announcementId: string,
    reason: string,
  ): Promise<{ status: 'retracted' }> {
    const tenant = this.db.forDistrict(principal.districtId);
    const record = await tenant.announcements.findById(announcementId);
    if (!record) throw new NotFoundError('The announcement');
    const scope = await adminScopeOf(principal, tenant);
    if (scope.kind === 'school') {
      const section = await tenant.sections.findById(record.sectionId);
      if (scope.schoolId === null || section?.schoolId !== scope.schoolId) {
        throw new NotFoundError('The announcement');
      }
    }
    const alertId = await this.db.transaction(principal.districtId, async (tx) => {
      if (!(await tx.announcements.retract(announcementId, principal.userId))) {
        throw new ConflictError('ALREADY_RETRACTED', 'The announcement is already retracted.');
      }
      const alertId = await new SecurityAlerts(tx).aboutAnnouncement(
        ALERT_KINDS.announcementRetracted,
        'high',
        {
          announcementId,
          sectionId: record.sectionId,
          details: { authorId: record.authorId, retractedBy: principal.userId },
        },
      );
      await tx.audit.append({
        actorId: principal.userId,
        action: 'announcement.retracted',
        targetType: 'announcement',
        targetId: announcementId,
        details: { reason, authorId: record.authorId, previousStatus: record.status, alertId },
      });
      return alertId;
    });
    await this.alertDelivery.deliver(principal.districtId, alertId);
    await this.fanOut.cancel(announcementId);
    return { status: 'retracted' };
  }
}
