import { type Logger } from 'pino';
import { type Database } from '../db/database';
import {
  type NewSecurityAlert,
  type SecurityAlertRecord,
} from '../db/repositories/security-alert.repository';
import { AlertWebhook } from './alert-webhook';

export interface AlertSinkConfig {
  ALERT_WEBHOOK_URL?: string | undefined;
  ALERT_WEBHOOK_SECRET?: string | undefined;
  ALERT_WEBHOOK_TIMEOUT_MS: number;
}

/**
 * Where security alerts go: stored for `GET /v1/admin/alerts` (once per attachment and kind), and
 * handed to the webhook engineers watch when one is configured. Storing is the record; the webhook
 * is a notification, so a webhook failure never undoes or blocks the store.
 */
export class AlertSink {
  private readonly webhook: AlertWebhook | null;

  constructor(
    private readonly db: Database,
    config: AlertSinkConfig,
    private readonly logger: Logger,
  ) {
    if (config.ALERT_WEBHOOK_URL && !config.ALERT_WEBHOOK_SECRET) {
      throw new Error('ALERT_WEBHOOK_SECRET is required when ALERT_WEBHOOK_URL is set');
    }
    this.webhook =
      config.ALERT_WEBHOOK_URL && config.ALERT_WEBHOOK_SECRET
        ? new AlertWebhook(
            config.ALERT_WEBHOOK_URL,
            config.ALERT_WEBHOOK_SECRET,
            config.ALERT_WEBHOOK_TIMEOUT_MS,
          )
        : null;
  }

  /** Stores the alert (once) and notifies at once, logging a webhook failure: for request paths. */
  async raise(
    districtId: string,
    alert: NewSecurityAlert,
  ): Promise<{ alert: SecurityAlertRecord; created: boolean }> {
    const stored = await this.db.forDistrict(districtId).securityAlerts.raiseOnce(alert);
    if (stored.created) {
      await this.notify(stored.alert).catch((error: unknown) =>
        this.logger.error({ alertId: stored.alert.id, err: String(error) }, 'alert webhook delivery failed'),
      );
    }
    return stored;
  }

  /**
   * Posts a stored alert to the webhook, throwing when delivery fails so a workflow activity can retry
   * it. Without a webhook it does nothing.
   */
  async deliver(districtId: string, alertId: string): Promise<void> {
    const alert = await this.db.forDistrict(districtId).securityAlerts.find(alertId);
    if (alert) await this.notify(alert);
  }

  private async notify(alert: SecurityAlertRecord): Promise<void> {
    this.logger.warn(
      { alertId: alert.id, districtId: alert.districtId, kind: alert.kind, severity: alert.severity },
      'security alert raised',
    );
    if (this.webhook) await this.webhook.post(alert);
  }
}
