import { createHmac } from 'node:crypto';
import { type SecurityAlertRecord } from '../db/repositories/security-alert.repository';

export const SIGNATURE_HEADER = 'x-homeroom-signature';
export const TIMESTAMP_HEADER = 'x-homeroom-timestamp';

/**
 * `sha256=<hex>` of HMAC-SHA256 over `<timestamp>.<body>`: signing the timestamp with the body lets a
 * receiver refuse a replayed request (a stale timestamp) as well as a forged one (Stripe's scheme).
 */
export function alertSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

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
    schoolIds: string[];
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
      schoolIds: alert.schoolIds,
      createdAt: alert.createdAt.toISOString(),
    },
  };
}

/**
 * POSTs alerts as JSON to the configured URL, signed (see {@link alertSignature}) with the time of this
 * attempt in `X-Homeroom-Timestamp` (Unix seconds). Delivery is at least once (a retried activity may
 * post again), so receivers de-duplicate by `alert.id`. Anything but a 2xx answer within the timeout is
 * an error for the caller to retry.
 */
export class AlertWebhook {
  constructor(
    private readonly url: string,
    private readonly secret: string,
    private readonly timeoutMs: number,
  ) {}

  async post(alert: SecurityAlertRecord, now: Date = new Date()): Promise<void> {
    const body = JSON.stringify(alertWebhookPayload(alert));
    const timestamp = String(Math.floor(now.getTime() / 1000));
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'homeroom-alerts/1',
          [TIMESTAMP_HEADER]: timestamp,
          [SIGNATURE_HEADER]: alertSignature(this.secret, timestamp, body),
        },
        body,
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
