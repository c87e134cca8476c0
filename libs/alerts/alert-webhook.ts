import { type SecurityAlertRecord } from '../db/repositories/security-alert.repository';

export class AlertWebhookError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AlertWebhookError';
  }
}

/** What the webhook receives: ids, kind, severity and signature names — never names or message text. */
export interface AlertWebhookPayload {
  /** A one-line summary, so chat tools that show only `text` (Slack, Mattermost) still say what happened. */
  text: string;
  alert: {
    id: string;
    districtId: string;
    kind: string;
    severity: string;
    attachmentId: string | null;
    messageId: string | null;
    details: unknown;
    createdAt: string;
  };
}

export function alertWebhookPayload(alert: SecurityAlertRecord): AlertWebhookPayload {
  return {
    text: `Homeroom security alert: ${alert.kind} (${alert.severity}) in district ${alert.districtId}, alert ${alert.id}`,
    alert: {
      id: alert.id,
      districtId: alert.districtId,
      kind: alert.kind,
      severity: alert.severity,
      attachmentId: alert.attachmentId,
      messageId: alert.messageId,
      details: alert.details,
      createdAt: alert.createdAt.toISOString(),
    },
  };
}

/**
 * POSTs alerts as JSON to the configured URL. Delivery is at least once (a retried activity may post
 * again), so receivers de-duplicate by `alert.id`. Anything but a 2xx answer within the timeout is an
 * error for the caller to retry.
 */
export class AlertWebhook {
  constructor(
    private readonly url: string,
    private readonly timeoutMs: number,
  ) {}

  async post(alert: SecurityAlertRecord): Promise<void> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'homeroom-alerts/1' },
        body: JSON.stringify(alertWebhookPayload(alert)),
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'error',
      });
    } catch (error) {
      throw new AlertWebhookError(
        `alert webhook unreachable: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    await response.body?.cancel();
    if (!response.ok) throw new AlertWebhookError(`alert webhook answered ${response.status}`);
  }
}
