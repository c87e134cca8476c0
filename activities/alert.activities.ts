import { type AlertSink } from '../libs/alerts/alert-sink';

export interface AlertActivityDeps {
  alerts: AlertSink;
}

export function createAlertActivities(deps: AlertActivityDeps) {
  const { alerts } = deps;
  return {
    /**
     * Hands a stored alert to the webhook; throws on failure so Temporal retries the delivery. Posting
     * again after a crash is harmless: receivers de-duplicate by the alert id.
     */
    async deliverSecurityAlert(ref: { districtId: string; alertId: string }): Promise<void> {
      await alerts.deliver(ref.districtId, ref.alertId);
    },
  };
}

export type AlertActivities = ReturnType<typeof createAlertActivities>;
