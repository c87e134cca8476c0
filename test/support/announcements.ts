import { request } from './http';
import { waitFor } from './processes';

/**
 * Waits until the announcement's fan-out has reached every recipient (`status: delivered`), as its
 * author sees it, and returns the announcement (`GET /v1/announcements/{id}`, typed by the caller).
 */
export function waitForDelivery<T extends { status?: string } = { status: string }>(
  baseUrl: string,
  token: string,
  announcementId: string,
  timeoutMs = 30_000,
): Promise<T> {
  return waitFor(
    `announcement ${announcementId} to be delivered`,
    async () => {
      const res = await request<T>(baseUrl, 'GET', `/v1/announcements/${announcementId}`, {
        token,
      });
      return res.body.status === 'delivered' ? res.body : undefined;
    },
    timeoutMs,
  );
}
