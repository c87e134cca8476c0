import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Pool } from 'pg';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../apps/worker/src/worker.factory';
import { TemporalClientService } from '../../apps/api/src/temporal/temporal-client.service';
import { createPayloadCodec } from '../../libs/crypto/payload-codec';
import { type AppStack, startAppStack } from '../support/api-stack';
import { testApiConfig } from '../support/config';
import { createTestPool } from '../support/database';
import { request, type RunningApi } from '../support/http';
import { freePort, type ManagedProcess, spawnApi, spawnWorker, waitFor } from '../support/processes';
import { createSectionFixture, type SectionFixture, signInAs, signInMany } from '../support/roster-factory';
import { collectPayloads, historyText } from '../support/temporal-history';

/** Personal data of a section: every name and e-mail address of its people. */
function personalData(section: SectionFixture): string[] {
  return [...section.teachers, ...section.students, ...section.guardians].flatMap((u) => [
    u.givenName,
    u.familyName,
    u.email,
  ]);
}

describe('privacy of workflow histories', () => {
  const taskQueue = `fanout-${randomUUID()}`;
  let stack: AppStack;
  let api: RunningApi;
  let pool: Pool;

  beforeAll(async () => {
    stack = await startAppStack({ overrides: { TEMPORAL_TASK_QUEUE: taskQueue } });
    ({ api, pool } = stack);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("when an announcement fans out, then its full history holds neither the text nor anyone's name or e-mail, decoded or not", async () => {
    const section = await createSectionFixture(pool, { students: 600 });
    const teacherToken = await signInAs(pool, section.districtId, section.teachers[0]!.id);
    const text = `Private announcement ${randomUUID()}`;

    const posted = await request<{ id: string; workflowId: string }>(
      api.baseUrl,
      'POST',
      `/v1/sections/${section.sectionId}/announcements`,
      { token: teacherToken, json: { body: text } },
    );
    const client = api.app.get(TemporalClientService).client;
    const result = await client.workflow.getHandle(posted.body.workflowId).result();
    expect(result).toEqual({ recipientCount: 1200, deliveredCount: 1200 });

    const { history } = await client.workflowService.getWorkflowExecutionHistory({
      namespace: client.options.namespace,
      execution: { workflowId: posted.body.workflowId },
    });
    const events = history?.events ?? [];
    const config = testApiConfig();
    const codec = createPayloadCodec({
      keyId: config.PAYLOAD_CODEC_KEY_ID,
      key: config.PAYLOAD_CODEC_KEY,
      previousKeys: config.PAYLOAD_CODEC_PREVIOUS_KEYS,
    });
    const decoded = await codec.decode(collectPayloads(events));
    const decodedText = decoded
      .map((p) => Buffer.from(p.data ?? new Uint8Array()).toString('utf8'))
      .join('\n');

    // Several batches ran, and decoding really happened: the plain payloads name the announcement.
    expect(events.filter((e) => e.activityTaskScheduledEventAttributes).length).toBeGreaterThanOrEqual(5);
    expect(decodedText).toContain(posted.body.id);
    expect(decodedText).toContain('"recipientCount":1200');
    for (const haystack of [historyText(events), decodedText]) {
      expect(haystack).not.toContain(text);
      const leaked = personalData(section).filter((value) => haystack.includes(value));
      expect(leaked).toEqual([]);
    }
    // Ids and counts only: no user id of a recipient either.
    const recipientIds = [...section.students, ...section.guardians].map((u) => u.id);
    expect(recipientIds.filter((id) => decodedText.includes(id))).toEqual([]);
  });
});

describe('privacy of the API and worker logs', () => {
  const taskQueue = `fanout-${randomUUID()}`;
  let api: ManagedProcess;
  let worker: ManagedProcess;
  let baseUrl: string;
  let pool: Pool;

  beforeAll(async () => {
    pool = createTestPool();
    const bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
    const bundlePath = join(mkdtempSync(join(tmpdir(), 'homeroom-bundle-')), 'workflows.js');
    writeFileSync(bundlePath, bundle.code);
    const port = await freePort();
    const common = {
      TEMPORAL_TASK_QUEUE: taskQueue,
      TEMPORAL_SCAN_TASK_QUEUE: `${taskQueue}-scan`,
      LOG_LEVEL: 'trace',
    };
    api = spawnApi({ ...common, API_PORT: String(port), API_HOST: '127.0.0.1' });
    worker = spawnWorker({ ...common, WORKFLOW_BUNDLE_PATH: bundlePath });
    baseUrl = `http://127.0.0.1:${port}`;
    await waitFor('the compiled API', async () =>
      (await fetch(`${baseUrl}/health/live`)).ok ? true : undefined,
    );
    await waitFor('the compiled worker', async () =>
      worker.output().includes('worker started') ? true : undefined,
    );
  }, 60_000);

  afterAll(async () => {
    await worker?.stop();
    await api?.stop();
    await pool?.end();
  });

  it('when a marker is sent as message, announcement, reply and report text, then no log line of either process contains it', async () => {
    const section = await createSectionFixture(pool, { students: 3 });
    const teacherToken = await signInAs(pool, section.districtId, section.teachers[0]!.id);
    const [studentToken] = await signInMany(pool, section.districtId, [section.students[0]!.id]);
    const marker = `log-marker-${randomUUID()}`;
    const call = <T>(token: string, method: string, path: string, json?: unknown) =>
      request<T>(baseUrl, method, path, { token, json });

    const conversation = await call<{ id: string }>(teacherToken, 'POST', '/v1/conversations', {
      participantId: section.students[0]!.id,
    });
    const message = await call<{ id: string }>(
      teacherToken,
      'POST',
      `/v1/conversations/${conversation.body.id}/messages`,
      {
        body: `Message ${marker}`,
      },
    );
    const tooLong = await call(teacherToken, 'POST', `/v1/conversations/${conversation.body.id}/messages`, {
      body: `${marker} ${'x'.repeat(10_000)}`,
    });
    const refused = await call(studentToken!, 'POST', `/v1/sections/${section.sectionId}/announcements`, {
      body: `Refused ${marker}`,
    });
    const posted = await call<{ id: string }>(
      teacherToken,
      'POST',
      `/v1/sections/${section.sectionId}/announcements`,
      {
        body: `Announcement ${marker}`,
      },
    );
    await waitFor('the fan-out', async () => {
      const res = await call<{ status: string }>(teacherToken, 'GET', `/v1/announcements/${posted.body.id}`);
      return res.body.status === 'delivered' ? true : undefined;
    });
    const reply = await call(studentToken!, 'POST', `/v1/announcements/${posted.body.id}/replies`, {
      body: `Reply ${marker}`,
    });
    const report = await call(studentToken!, 'POST', `/v1/messages/${message.body.id}/report`, {
      reason: `Report ${marker}`,
    });
    const listed = await call<{ items: { body: string }[] }>(
      studentToken!,
      'GET',
      `/v1/conversations/${conversation.body.id}/messages`,
    );

    expect([
      message.status,
      tooLong.status,
      refused.status,
      posted.status,
      reply.status,
      report.status,
    ]).toEqual([201, 400, 403, 202, 201, 201]);
    expect(listed.body.items.some((m) => m.body.includes(marker))).toBe(true);
    // The logs were captured and are detailed: they name the routes and the announcement.
    await waitFor('the worker to log the delivery', async () =>
      worker.output().includes(posted.body.id) ? true : undefined,
    );
    expect(api.output()).toContain('/v1/conversations');
    for (const [name, output] of [
      ['api', api.output()],
      ['worker', worker.output()],
    ] as const) {
      expect({ process: name, leaks: output.includes(marker) }).toEqual({ process: name, leaks: false });
      const leaked = personalData(section).filter((value) => output.includes(value));
      expect({ process: name, leaked }).toEqual({ process: name, leaked: [] });
    }
  });
});

const quiet = () => undefined;
const quietLogger = { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: quiet };
