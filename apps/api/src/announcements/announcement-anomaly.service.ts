import { Inject, Injectable } from '@nestjs/common';
import { announcementAnomalies } from '../../../../libs/alerts/announcement-anomalies';
import { SecurityAlerts } from '../../../../libs/alerts/security-alerts';
import { type ApiConfig } from '../../../../libs/config/config';
import { Database } from '../../../../libs/db/database';
import { type Logger } from '../../../../libs/logging/logger';
import { AlertDeliveryStarter } from '../alerts/alert-delivery.starter';
import { type Principal } from '../common/request-context';
import { API_CONFIG, LOGGER } from '../common/tokens';

/**
 * Watches accepted announcements for signs of a hijacked teacher account ({@link announcementAnomalies})
 * and raises an alert for each, scoped to the section's school and handed to the webhook. The
 * announcement goes either way: the alert lets a human suspend and retract within minutes. One query
 * on the send path; the writes happen only when something is found.
 */
@Injectable()
export class AnnouncementAnomalyService {
  constructor(
    private readonly db: Database,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly alertDelivery: AlertDeliveryStarter,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Runs after the fan-out started, so a failing check must not answer the post with an error (the
   * teacher would send again): it is logged instead.
   */
  async check(principal: Principal, announcementId: string, sectionId: string): Promise<void> {
    try {
      await this.checkNow(principal, announcementId, sectionId);
    } catch (error) {
      this.logger.error({ announcementId, err: String(error) }, 'announcement anomaly check failed');
    }
  }

  private async checkNow(principal: Principal, announcementId: string, sectionId: string): Promise<void> {
    const now = new Date();
    const tenant = this.db.forDistrict(principal.districtId);
    const facts = await tenant.announcementAnomalies.facts({
      sessionId: principal.sessionId,
      authorId: principal.userId,
      sectionId,
      now,
      newDeviceWindowMinutes: this.config.ANOMALY_NEW_DEVICE_WINDOW_MINUTES,
    });
    const anomalies = announcementAnomalies(
      { ...facts, now },
      {
        broadcastRecipients: this.config.ANOMALY_BROADCAST_RECIPIENTS,
        newDeviceWindowMinutes: this.config.ANOMALY_NEW_DEVICE_WINDOW_MINUTES,
        rateFactor: this.config.ANOMALY_RATE_FACTOR,
        rateMinimum: this.config.ANOMALY_RATE_MINIMUM,
      },
    );
    if (anomalies.length === 0) return;
    const alertIds = await this.db.transaction(principal.districtId, async (tx) => {
      const alerts = new SecurityAlerts(tx);
      const ids: string[] = [];
      for (const anomaly of anomalies) {
        const alertId = await alerts.aboutAnnouncement(anomaly.kind, 'high', {
          announcementId,
          sectionId,
          details: { authorId: principal.userId, sessionId: principal.sessionId, ...anomaly.details },
        });
        await tx.audit.append({
          actorId: principal.userId,
          action: 'announcement.anomaly',
          targetType: 'announcement',
          targetId: announcementId,
          details: { kind: anomaly.kind, alertId },
        });
        ids.push(alertId);
      }
      return ids;
    });
    this.logger.warn({ announcementId, kinds: anomalies.map((a) => a.kind) }, 'announcement anomaly');
    for (const alertId of alertIds) await this.alertDelivery.deliver(principal.districtId, alertId);
  }
}
