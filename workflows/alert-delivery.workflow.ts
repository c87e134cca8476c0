import { ActivityFailure, log, proxyActivities } from '@temporalio/workflow';
import type { AlertActivities } from '../activities/alert.activities';

/** The webhook's backoff, from the API's configuration (so tests can shorten it). */
export interface AlertDeliveryRetry {
  initialIntervalMs: number;
  maximumIntervalMs: number;
  maximumAttempts: number;
}

/** Ids and the retry policy only: the alert itself is read from the database by the activity. */
export interface AlertDeliveryInput {
  districtId: string;
  alertId: string;
  retry: AlertDeliveryRetry;
}

/**
 * Hands one stored alert to the webhook (`alert-delivery-<alertId>`), retrying with exponential
 * backoff while the receiver is down or answers anything but 2xx. An alert that still cannot be
 * delivered stays listed for admins; the workflow then ends as `undelivered` rather than failing, so
 * operators find it by its result in the Temporal UI.
 */
export async function alertDeliveryWorkflow(input: AlertDeliveryInput): Promise<'delivered' | 'undelivered'> {
  const { deliverSecurityAlert } = proxyActivities<AlertActivities>({
    // Longer than the webhook timeout (ALERT_WEBHOOK_TIMEOUT_MS, at most a minute).
    startToCloseTimeout: '2 minutes',
    retry: {
      initialInterval: input.retry.initialIntervalMs,
      maximumInterval: input.retry.maximumIntervalMs,
      maximumAttempts: input.retry.maximumAttempts,
      backoffCoefficient: 2,
    },
  });
  try {
    await deliverSecurityAlert({ districtId: input.districtId, alertId: input.alertId });
    return 'delivered';
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    log.error('security alert could not be delivered to the webhook; it stays listed', {
      alertId: input.alertId,
    });
    return 'undelivered';
  }
}
