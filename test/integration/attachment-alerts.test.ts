import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type Pool } from 'pg';
import { AlertSink } from '../../libs/alerts/alert-sink';
import { AlertWebhookError } from '../../libs/alerts/alert-webhook';
import { Database } from '../../libs/db/database';
import { createLogger } from '../../libs/logging/logger';
import { createTestPool, testDatabaseUrl } from '../support/database';
import { createDistrict, createUsers } from '../support/roster-factory';

interface Received {
  path: string;
  contentType: string | undefined;
  body: { text: string; alert: Record<string, unknown> };
}

/** A webhook receiver on loopback that answers with the status the test sets. */
async function startReceiver() {
  const received: Received[] = [];
  let answer = 204;
  let delayMs = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({
        path: req.url ?? '',
        contentType: req.headers['content-type'],
        body: JSON.parse(body) as Received['body'],
      });
      setTimeout(() => res.writeHead(answer).end(), delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/security`,
    received,
    answerWith: (status: number, delay = 0) => {
      answer = status;
      delayMs = delay;
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

describe('the security alert sink', () => {
  const logger = createLogger({ name: 'alert-sink-test', level: 'silent' });
  let pool: Pool;
  let db: Database;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let districtId: string;
  let uploaderId: string;

  beforeAll(async () => {
    pool = createTestPool();
    db = Database.open(testDatabaseUrl(), { poolSize: 2 });
    receiver = await startReceiver();
    const district = await createDistrict(pool);
    districtId = district.districtId;
    uploaderId = (await createUsers(pool, districtId, 'teacher', 1, district.schoolId))[0]!.id;
  });

  afterAll(async () => {
    await receiver?.close();
    await db?.disconnect();
    await pool?.end();
  });

  beforeEach(() => receiver.answerWith(204));

  const newAttachment = async () => {
    const id = randomUUID();
    await pool.query(
      `INSERT INTO attachments (id, district_id, uploader_id, filename, original_filename, content_type, size, sha256)
       VALUES ($1, $2, $3, 'secret-name.pdf', 'secret-name.pdf', 'application/pdf', 1, 'ab')`,
      [id, districtId, uploaderId],
    );
    return id;
  };
  const sink = (overrides: { url?: string; timeoutMs?: number } = {}) =>
    new AlertSink(
      db,
      {
        ALERT_WEBHOOK_URL: overrides.url,
        ALERT_WEBHOOK_SECRET: overrides.url ? 'attachment-alerts-test-secret-of-32-chars' : undefined,
        ALERT_WEBHOOK_TIMEOUT_MS: overrides.timeoutMs ?? 2_000,
      },
      logger,
    );

  it('when an alert is raised twice for the same file and kind, then it is stored and posted once', async () => {
    const attachmentId = await newAttachment();
    const alerts = sink({ url: receiver.url });
    const alert = {
      kind: 'attachment_quarantined',
      severity: 'critical' as const,
      attachmentId,
      details: { signature: 'Eicar-Test' },
    };
    const first = await alerts.raise(districtId, alert);
    const second = await alerts.raise(districtId, alert);

    expect(first.created).toBe(true);
    expect(second).toEqual({ alert: first.alert, created: false });
    expect(await db.forDistrict(districtId).securityAlerts.forAttachment(attachmentId)).toHaveLength(1);
    const posts = receiver.received.filter((r) => r.body.alert.attachmentId === attachmentId);
    expect(posts).toEqual([
      {
        path: '/hooks/security',
        contentType: 'application/json',
        body: {
          text: expect.stringContaining('attachment_quarantined'),
          alert: {
            id: first.alert.id,
            districtId,
            kind: 'attachment_quarantined',
            severity: 'critical',
            attachmentId,
            messageId: null,
            details: { signature: 'Eicar-Test' },
            schoolIds: [],
            createdAt: first.alert.createdAt.toISOString(),
          },
        },
      },
    ]);
    expect(JSON.stringify(posts)).not.toContain('secret-name');
  });

  it('when the webhook fails, then the alert is still stored, and an explicit delivery reports the failure', async () => {
    receiver.answerWith(500);
    const attachmentId = await newAttachment();
    const alerts = sink({ url: receiver.url });
    const raised = await alerts.raise(districtId, {
      kind: 'scanner_unavailable',
      severity: 'high',
      attachmentId,
    });
    expect(raised.created).toBe(true);
    expect(await db.forDistrict(districtId).securityAlerts.find(raised.alert.id)).not.toBeNull();
    await expect(alerts.deliver(districtId, raised.alert.id)).rejects.toThrow(AlertWebhookError);

    receiver.answerWith(204);
    await expect(alerts.deliver(districtId, raised.alert.id)).resolves.toBeUndefined();
  });

  it('when the webhook is slower than the timeout, then delivery fails instead of hanging', async () => {
    receiver.answerWith(204, 1_500);
    const attachmentId = await newAttachment();
    const alerts = sink({ url: receiver.url, timeoutMs: 200 });
    const raised = await alerts.raise(districtId, {
      kind: 'scanner_unavailable',
      severity: 'high',
      attachmentId,
    });
    await expect(alerts.deliver(districtId, raised.alert.id)).rejects.toThrow(/unreachable/);
  });

  it('when no webhook is configured, then alerts are only stored', async () => {
    const before = receiver.received.length;
    const attachmentId = await newAttachment();
    const alerts = sink();
    const raised = await alerts.raise(districtId, {
      kind: 'attachment_quarantined',
      severity: 'critical',
      attachmentId,
    });
    await alerts.deliver(districtId, raised.alert.id);
    expect(raised.created).toBe(true);
    expect(receiver.received.length).toBe(before);
  });

  it('when alerts without a file are raised, then each is stored (no de-duplication without an attachment)', async () => {
    const alerts = sink();
    const a = await alerts.raise(districtId, { kind: 'message_reported', severity: 'medium' });
    const b = await alerts.raise(districtId, { kind: 'message_reported', severity: 'medium' });
    expect(a.alert.id).not.toBe(b.alert.id);
    expect([a.created, b.created]).toEqual([true, true]);
  });
});
