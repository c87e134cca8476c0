import { type Client } from '@temporalio/client';
import { type Pool } from 'pg';
import { homeroom } from '../support/cli';
import { testApiConfig, testWorkerConfig } from '../support/config';
import { createTestPool } from '../support/database';
import { request, type RunningApi, startApi } from '../support/http';
import { freePort, type ManagedProcess, startPrivateClamd, waitFor } from '../support/processes';
import { createDistrict, createUsers, signInAs } from '../support/roster-factory';
import { startTestWorkers, type TestWorkers } from '../support/workers';
import { connectTestClient } from '../support/temporal-client';
import {
  attachmentTestEnv,
  removeTestStorage,
  type AttachmentTestEnv,
  describeAttachment,
  download,
  issueLink,
  upload,
  waitForStatus,
} from '../support/attachments';
import { minimalPdf } from '../support/sample-files';

interface Stack {
  env: AttachmentTestEnv;
  api: RunningApi;
  workers: TestWorkers;
}

async function startStack(label: string, extra: Record<string, string>): Promise<Stack> {
  const env = attachmentTestEnv(label, extra);
  const api = await startApi(testApiConfig(env.overrides));
  const workers = await startTestWorkers(testWorkerConfig(env.overrides));
  return { env, api, workers };
}

/**
 * Fail closed: while clamd gives no verdict nothing is released and no link can be issued; when it
 * answers again, the file is released without anyone acting. A clamd of this suite's own is stopped
 * and started; a second stack points at a port where nothing listens, with a retry budget of seconds.
 */
describe('attachment scanning when clamd is unavailable', () => {
  let clamd: ManagedProcess & { dir: string };
  let clamdPort: number;
  let recovering: Stack;
  let exhausted: Stack;
  let pool: Pool;
  let temporal: Client;
  let districtId: string;
  let token: string;
  /** The file the exhausted budget left unreleased, for the rescan below. */
  let unreleasedId: string;

  beforeAll(async () => {
    clamdPort = await freePort();
    clamd = await startPrivateClamd(clamdPort);
    recovering = await startStack('att-failclosed', { CLAMD_PORT: String(clamdPort) });
    exhausted = await startStack('att-exhausted', {
      CLAMD_PORT: String(await freePort()),
      ATTACHMENT_SCAN_RETRY_HOURS: String(6 / 3_600),
    });
    pool = createTestPool();
    temporal = await connectTestClient(testApiConfig());
    const district = await createDistrict(pool);
    districtId = district.districtId;
    const [teacher] = await createUsers(pool, districtId, 'teacher', 1, district.schoolId);
    token = await signInAs(pool, districtId, teacher!.id);
  }, 180_000);

  afterAll(async () => {
    for (const stack of [recovering, exhausted]) {
      await stack?.workers.stop();
      await stack?.api.close();
      if (stack) removeTestStorage(stack.env);
    }
    await clamd?.stop();
    await temporal?.connection.close();
    await pool?.end();
  });

  it('when clamd is down, then an upload stays scanning with no link, and is released once clamd returns', async () => {
    await clamd.stop();
    const content = minimalPdf('Field trip form');
    const uploaded = await upload(recovering.api.baseUrl, token, content, 'field-trip.pdf');
    expect(uploaded.status).toBe(202);
    const id = uploaded.body.id!;

    const handle = temporal.workflow.getHandle(uploaded.body.workflowId!);
    await waitFor(
      'the scan to be retried',
      async () => {
        const { raw } = await handle.describe();
        const attempt = raw.pendingActivities?.[0]?.attempt ?? 0;
        return attempt >= 3 ? attempt : undefined;
      },
      60_000,
    );
    expect((await describeAttachment(recovering.api.baseUrl, token, id)).body.status).toBe('scanning');
    const refused = await issueLink(recovering.api.baseUrl, token, id);
    expect(refused.status).toBe(409);
    expect(refused.body.error?.code).toBe('NOT_SCANNED');
    const { rows: alerts } = await pool.query('SELECT kind FROM security_alerts WHERE attachment_id = $1', [
      id,
    ]);
    expect(alerts).toEqual([]);

    clamd = await startPrivateClamd(clamdPort, clamd.dir);
    await waitForStatus(recovering.api.baseUrl, token, id, 'clean', 60_000);
    expect(await handle.result()).toEqual({ status: 'clean' });
    const link = await issueLink(recovering.api.baseUrl, token, id);
    expect(link.status).toBe(201);
    const file = await download(recovering.api.baseUrl, link.body.url);
    expect(file.status).toBe(200);
    expect(file.bytes.equals(content)).toBe(true);
  }, 120_000);

  it('when clamd stays down for the whole retry budget, then the file stays unreleased and an operational alert is raised', async () => {
    const uploaded = await upload(exhausted.api.baseUrl, token, Buffer.from('Quiz answers\n'), 'quiz.txt');
    expect(uploaded.status).toBe(202);
    const id = uploaded.body.id!;
    unreleasedId = id;
    const result = await temporal.workflow.getHandle(uploaded.body.workflowId!).result();
    expect(result).toEqual({ status: 'scanning', alertId: expect.any(String) });
    // Operators see the attempts without a verdict in the worker's metrics, and nothing released.
    const metrics = await (await fetch(`${exhausted.workers.opsAddress}/metrics`)).text();
    const scans = (name: string, verdict: string) =>
      Number(new RegExp(`^${name}\\{verdict="${verdict}"\\} (\\d+)$`, 'm').exec(metrics)?.[1] ?? 0);
    expect(scans('homeroom_attachment_scan_verdicts_total', 'no_verdict')).toBeGreaterThanOrEqual(2);
    expect(scans('homeroom_attachment_scan_duration_seconds_count', 'no_verdict')).toBe(
      scans('homeroom_attachment_scan_verdicts_total', 'no_verdict'),
    );
    expect(scans('homeroom_attachment_scan_verdicts_total', 'clean')).toBe(0);

    const { rows: alerts } = await pool.query<{ kind: string; severity: string }>(
      'SELECT kind, severity FROM security_alerts WHERE attachment_id = $1',
      [id],
    );
    expect(alerts).toEqual([{ kind: 'scanner_unavailable', severity: 'high' }]);
    expect((await describeAttachment(exhausted.api.baseUrl, token, id)).body.status).toBe('scanning');
    const refused = await issueLink(exhausted.api.baseUrl, token, id);
    expect(refused.status).toBe(409);
    const listed = await request<{ error?: unknown }>(exhausted.api.baseUrl, 'GET', `/v1/attachments/${id}`, {
      token,
    });
    expect(listed.status).toBe(200);
  }, 120_000);

  it('when clamd answers again and an operator runs `homeroom attachments rescan`, then the file left unreleased is scanned again and released', async () => {
    // The same queues as the exhausted stack, now with a worker that reaches clamd.
    await exhausted.workers.stop();
    exhausted.workers = await startTestWorkers(
      testWorkerConfig({ ...exhausted.env.overrides, CLAMD_PORT: String(clamdPort) }),
    );
    const cliEnv = { ...exhausted.env.overrides, ATTACHMENT_SCAN_RETRY_HOURS: '1' };

    const rescan = await homeroom(['attachments', 'rescan', '--district', districtId], cliEnv);

    expect(rescan).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(rescan.stdout)).toEqual({
      districtId,
      awaitingVerdict: 1,
      restarted: 1,
      stillRunning: 0,
    });
    await waitForStatus(exhausted.api.baseUrl, token, unreleasedId, 'clean', 60_000);
    expect((await issueLink(exhausted.api.baseUrl, token, unreleasedId)).status).toBe(201);
    const { rows: audit } = await pool.query<{ details: Record<string, number> }>(
      `SELECT details FROM audit_events WHERE district_id = $1 AND action = 'attachment.rescan'`,
      [districtId],
    );
    expect(audit).toEqual([{ details: { awaitingVerdict: 1, restarted: 1, stillRunning: 0 } }]);

    const again = await homeroom(['attachments', 'rescan', '--district', districtId], cliEnv);
    expect(JSON.parse(again.stdout)).toMatchObject({ awaitingVerdict: 0, restarted: 0 });
    const badDistrict = await homeroom(['attachments', 'rescan', '--district', 'nope'], cliEnv);
    expect(badDistrict.code).not.toBe(0);
    expect(badDistrict.stderr).toContain('--district must be a UUID');
  }, 120_000);
});
