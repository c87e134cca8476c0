import { randomUUID } from 'node:crypto';
import { type Pool } from 'pg';
import { type AppStack, startAppStack } from '../support/api-stack';
import { waitForDelivery } from '../support/announcements';
import { attachmentTestEnv, removeTestStorage, upload, waitForStatus } from '../support/attachments';
import { request, type RunningApi } from '../support/http';
import { OperatorEndpoint } from '../../apps/api/src/ops/operator-endpoint';
import { freePort, type ManagedProcess, spawnWorker, waitFor } from '../support/processes';
import { createSectionFixture, type SectionFixture, signInAs } from '../support/roster-factory';
import { EICAR } from '../support/samples';
import { minimalPdf } from '../support/sample-files';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (comments skipped). */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match || line.startsWith('#')) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[key!] = value!;
    }
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The value of the one sample named `name` whose labels include `labels`; 0 when there is none. */
function valueOf(text: string, name: string, labels: Record<string, string> = {}): number {
  const found = parseExposition(text).filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${found.length} samples`);
  return found[0]?.value ?? 0;
}

async function scrape(address: string): Promise<string> {
  const res = await fetch(`${address}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const STUDENTS = 4;
const MESSAGE_QUOTA = 3;

/**
 * The operators' Prometheus endpoints, after real traffic: the API's on its operator listener (never on
 * the public port), the worker's on its own, and the Temporal SDK's on TEMPORAL_METRICS_BIND. The worker
 * is the compiled worker process itself (dist/apps/worker/src/main.js), so its start-up wiring is what
 * is tested.
 */
describe('operator metrics', () => {
  const env = attachmentTestEnv('metrics', {
    QUOTA_MESSAGES_PER_USER_PER_HOUR: String(MESSAGE_QUOTA),
  });
  let stack: AppStack;
  let api: RunningApi;
  let pool: Pool;
  let apiOps: string;
  let worker: ManagedProcess;
  let workerOps: string;
  let temporalMetrics: string;
  let section: SectionFixture;
  let teacherToken: string;
  const secretText = `metrics-secret-${randomUUID()}`;

  beforeAll(async () => {
    stack = await startAppStack({ overrides: env.overrides, workers: false });
    ({ api, pool } = stack);
    apiOps = api.app.get(OperatorEndpoint).address();
    const [opsPort, temporalPort] = [await freePort(), await freePort()];
    workerOps = `http://127.0.0.1:${opsPort}`;
    temporalMetrics = `http://127.0.0.1:${temporalPort}`;
    worker = spawnWorker({
      LOG_LEVEL: 'warn',
      ...env.overrides,
      WORKER_OPS_PORT: String(opsPort),
      TEMPORAL_METRICS_BIND: `127.0.0.1:${temporalPort}`,
    });
    await waitFor(
      'the worker process to serve its metrics',
      async () => {
        if (worker.child.exitCode !== null) throw new Error(`worker exited: ${worker.output()}`);
        return (await fetch(`${workerOps}/metrics`)).ok ? true : undefined;
      },
      90_000,
    );
    section = await createSectionFixture(pool, { students: STUDENTS });
    teacherToken = await signInAs(pool, section.districtId, section.teachers[0]!.id);
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    await stack?.stop();
    removeTestStorage(env);
  });

  it('when requests were answered, then the API histogram counts them by route template and status class, and a quota refusal is counted', async () => {
    const open = await request<{ id: string }>(api.baseUrl, 'POST', '/v1/conversations', {
      token: teacherToken,
      json: { participantId: section.students[0]!.id },
    });
    expect(open.status).toBe(201);
    const messages = `/v1/conversations/${open.body.id}/messages`;
    const sends = [];
    for (let i = 0; i <= MESSAGE_QUOTA; i++) {
      sends.push(
        (await request(api.baseUrl, 'POST', messages, { token: teacherToken, json: { body: secretText } }))
          .status,
      );
    }
    expect(sends).toEqual([...Array<number>(MESSAGE_QUOTA).fill(201), 429]);
    expect((await request(api.baseUrl, 'GET', messages, { token: teacherToken })).status).toBe(200);
    expect((await request(api.baseUrl, 'GET', messages)).status).toBe(401);
    expect((await request(api.baseUrl, 'GET', `/v1/no-such-route/${randomUUID()}`)).status).toBe(404);

    const text = await scrape(apiOps);
    const count = (method: string, route: string, statusClass: string) =>
      valueOf(text, 'homeroom_http_request_duration_seconds_count', {
        method,
        route,
        status_class: statusClass,
      });
    const template = '/v1/conversations/:conversationId/messages';
    expect(count('POST', '/v1/conversations', '2xx')).toBe(1);
    expect(count('POST', template, '2xx')).toBe(MESSAGE_QUOTA);
    expect(count('POST', template, '4xx')).toBe(1);
    expect(count('GET', template, '2xx')).toBe(1);
    expect(count('GET', template, '4xx')).toBe(1);
    expect(count('GET', 'unmatched', '4xx')).toBe(1);
    expect(valueOf(text, 'homeroom_quota_refusals_total', { quota: 'messages', scope: 'user' })).toBe(1);
    // The process metrics are there too.
    expect(valueOf(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    // No path with an id, no id, no content: routes are templates and labels come from fixed sets.
    expect(text).not.toMatch(UUID);
    expect(text).not.toContain(secretText);
    expect(text).not.toContain('no-such-route');
  });

  it('when an announcement fans out, then the worker counts every delivery it wrote', async () => {
    const before = valueOf(await scrape(workerOps), 'homeroom_fanout_deliveries_total');
    const posted = await request<{ id: string }>(
      api.baseUrl,
      'POST',
      `/v1/sections/${section.sectionId}/announcements`,
      { token: teacherToken, json: { body: secretText } },
    );
    expect(posted.status).toBe(202);
    await waitForDelivery(api.baseUrl, teacherToken, posted.body.id);

    const text = await scrape(workerOps);
    // Every student and their guardian: each delivery row counted once.
    expect(valueOf(text, 'homeroom_fanout_deliveries_total') - before).toBe(STUDENTS * 2);
    expect(text).not.toMatch(UUID);
    expect(text).not.toContain(secretText);
  });

  it('when attachments are scanned, then the worker records each verdict and its duration', async () => {
    const filename = `report-${randomUUID()}.pdf`;
    const clean = await upload(api.baseUrl, teacherToken, minimalPdf(), filename);
    const infected = await upload(api.baseUrl, teacherToken, EICAR, `eicar-${randomUUID()}.txt`);
    expect([clean.status, infected.status]).toEqual([202, 202]);
    await waitForStatus(api.baseUrl, teacherToken, clean.body.id!, 'clean');
    await waitForStatus(api.baseUrl, teacherToken, infected.body.id!, 'quarantined');

    const text = await waitFor('both verdicts in the worker metrics', async () => {
      const scraped = await scrape(workerOps);
      return valueOf(scraped, 'homeroom_attachment_scan_verdicts_total', { verdict: 'infected' }) === 1
        ? scraped
        : undefined;
    });
    for (const verdict of ['clean', 'infected']) {
      expect(valueOf(text, 'homeroom_attachment_scan_verdicts_total', { verdict })).toBe(1);
      expect(valueOf(text, 'homeroom_attachment_scan_duration_seconds_count', { verdict })).toBe(1);
      expect(valueOf(text, 'homeroom_attachment_scan_duration_seconds_sum', { verdict })).toBeGreaterThan(0);
    }
    expect(text).not.toMatch(UUID);
    expect(text).not.toContain(filename);
  });

  it('when the worker has run workflows and activities, then the Temporal SDK serves its own worker metrics', async () => {
    const text = await waitFor('the Temporal SDK metrics', async () => {
      const res = await fetch(`${temporalMetrics}/metrics`);
      const body = await res.text();
      return res.ok && body.includes('temporal_activity_execution_latency') ? body : undefined;
    });
    const queues = new Set(
      parseExposition(text)
        .filter((s) => s.name === 'temporal_worker_task_slots_available')
        .map((s) => s.labels.task_queue),
    );
    expect([...queues]).toEqual(
      expect.arrayContaining([env.overrides.TEMPORAL_TASK_QUEUE, env.overrides.TEMPORAL_SCAN_TASK_QUEUE]),
    );
    expect(text).not.toContain(secretText);
  });

  it('when the public API or a listener is asked for what it does not serve, then 404 or 405', async () => {
    expect((await request(api.baseUrl, 'GET', '/metrics')).status).toBe(404);
    expect((await fetch(`${workerOps}/health`)).status).toBe(404);
    expect((await fetch(`${workerOps}/metrics`, { method: 'POST' })).status).toBe(405);
  });
});
