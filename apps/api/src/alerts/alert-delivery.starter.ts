import { Inject, Injectable } from '@nestjs/common';
import { type ApiConfig } from '../../../../libs/config/config';
import { type Logger } from '../../../../libs/logging/logger';
import { WorkflowGateway } from '../../../../libs/adapters/temporal/workflow-gateway';
import { API_CONFIG, LOGGER } from '../common/tokens';

/**
 * Hands stored alerts to the webhook through `alert-delivery-<alertId>` workflows, which retry with
 * backoff: the request that raised an alert never calls the webhook itself. Called after the alert's
 * transaction committed. Without a webhook it does nothing. The alert is the record and stays listed
 * for admins, so a Temporal outage here is logged rather than failing a request whose writes are done.
 */
@Injectable()
export class AlertDeliveryStarter {
  constructor(
    private readonly workflows: WorkflowGateway,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async deliver(districtId: string, alertId: string): Promise<void> {
    if (!this.config.ALERT_WEBHOOK_URL) return;
    try {
      await this.workflows.startAlertDelivery(
        { districtId, alertId },
        {
          initialIntervalMs: this.config.ALERT_WEBHOOK_RETRY_INITIAL_MS,
          maximumIntervalMs: this.config.ALERT_WEBHOOK_RETRY_MAX_MS,
          maximumAttempts: this.config.ALERT_WEBHOOK_MAX_ATTEMPTS,
        },
      );
    } catch (error) {
      this.logger.error({ alertId, err: String(error) }, 'alert webhook delivery could not be started');
    }
  }
}
