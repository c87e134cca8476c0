import { Inject, Injectable } from '@nestjs/common';
import { TypedSearchAttributes, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { type ApiConfig } from '../../../../libs/config/config';
import { type Logger } from '../../../../libs/logging/logger';
import { DISTRICT_ID } from '../../../../libs/adapters/temporal/search-attributes';
import { workflowIds } from '../../../../libs/adapters/temporal/workflow-ids';
import type { alertDeliveryWorkflow } from '../../../../workflows/alert-delivery.workflow';
import { API_CONFIG, LOGGER } from '../common/tokens';
import { TemporalClientService } from '../temporal/temporal-client.service';

/** The request that raised the alert waits this long at most for Temporal. */
const START_DEADLINE_MS = 5_000;

/**
 * Hands stored alerts to the webhook through `alert-delivery-<alertId>` workflows, which retry with
 * backoff: the request that raised an alert never calls the webhook itself. Called after the alert's
 * transaction committed. Without a webhook it does nothing. The alert is the record and stays listed
 * for admins, so a Temporal outage here is logged rather than failing a request whose writes are done.
 */
@Injectable()
export class AlertDeliveryStarter {
  constructor(
    private readonly temporal: TemporalClientService,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async deliver(districtId: string, alertId: string): Promise<void> {
    if (!this.config.ALERT_WEBHOOK_URL) return;
    try {
      await this.temporal.connection.withDeadline(Date.now() + START_DEADLINE_MS, () =>
        this.temporal.client.workflow.start<typeof alertDeliveryWorkflow>('alertDeliveryWorkflow', {
          taskQueue: this.temporal.taskQueue,
          workflowId: workflowIds.alertDelivery(alertId),
          args: [
            {
              districtId,
              alertId,
              retry: {
                initialIntervalMs: this.config.ALERT_WEBHOOK_RETRY_INITIAL_MS,
                maximumIntervalMs: this.config.ALERT_WEBHOOK_RETRY_MAX_MS,
                maximumAttempts: this.config.ALERT_WEBHOOK_MAX_ATTEMPTS,
              },
            },
          ],
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: new TypedSearchAttributes([{ key: DISTRICT_ID, value: districtId }]),
        }),
      );
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) return;
      this.logger.error({ alertId, err: String(error) }, 'alert webhook delivery could not be started');
    }
  }
}
