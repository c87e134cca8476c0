import { AlertSink } from '../libs/alerts/alert-sink';
import { type WorkerConfig } from '../libs/config/config';
import { type Database } from '../libs/db/database';
import { type Logger } from '../libs/logging/logger';

export interface AlertActivityDeps {
  config: WorkerConfig;
  db: Database;
  logger: Logger;
}

export function createAlertActivities(deps: AlertActivityDeps) {
  const alerts = new AlertSink(deps.db, deps.config, deps.logger);
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
