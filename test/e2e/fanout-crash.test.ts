import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Pool } from 'pg';
import { bundleWorkflowCode } from '@temporalio/worker';
import { TemporalClientService } from '../../apps/api/src/temporal/temporal-client.service';
import { WORKFLOWS_PATH } from '../../apps/worker/src/worker.factory';
import { workflowIds } from '../../libs/adapters/temporal/workflow-safe/workflow-ids';
import { testApiConfig } from '../support/config';
import { createTestPool } from '../support/database';
import { request, type RunningApi, startApi } from '../support/http';
import { type ManagedProcess, spawnWorker, waitFor } from '../support/processes';
import { createSectionFixture, type SectionFixture, signInAs } from '../support/roster-factory';

/**
 * Crash safety of the announcement fan-out with the compiled worker (`npm run build`): the worker is
 * SIGKILLed while a 20,000-recipient fan-out is writing, a new worker takes over, and every recipient
 * ends up with exactly one delivery. FANOUT_CRASH_REPEATS sets how many times (default 10).
 */
const REPEATS = Number(process.env.FANOUT_CRASH_REPEATS ?? 10);
const STUDENTS = 10_000;
const RECIPIENTS = 2 * STUDENTS;

jest.setTimeout(240_000);

describe('announcement fan-out when the worker is killed', () => {
  const taskQueue = `fanout-${randomUUID()}`;
  let api: RunningApi;
  let pool: Pool;
  let section: SectionFixture;
  let teacherToken: string;
  let workerEnv: Record<string, string>;
  let worker: ManagedProcess | undefined;

  const deliveries = async (announcementId: string) =>
    (
      await pool.query('SELECT count(*)::int AS n FROM deliveries WHERE announcement_id = $1', [
        announcementId,
      ])
    ).rows[0].n as number;
  /** Where a stalled fan-out stands: its workflow's pending work and history, and the worker's last words. */
  const diagnosis = async (announcementId: string) => {
    const client = api.app.get(TemporalClientService).client;
    const handle = client.workflow.getHandle(workflowIds.announcement(announcementId));
    const { raw, status } = await handle.describe();
    const history = await handle.fetchHistory();
    const events = (history.events ?? []).map(
      (e) => `${String(e.eventTime?.seconds ?? '')} ${String(e.eventType)}`,
    );
    return [
      `workflow ${status.name}, pending activities ${JSON.stringify(raw.pendingActivities ?? [])}`,
      `history: ${events.join(', ')}`,
      `worker output (tail): ${worker?.output().slice(-3_000) ?? '(none)'}`,
    ].join('\n');
  };

  /** A worker that has connected and polls: a slow start on a loaded machine is not mistaken for a stall. */
  const startWorker = async () => {
    const started = spawnWorker(workerEnv);
    await waitFor(
      'the worker to start',
      async () => {
        if (started.child.exitCode !== null)
          throw new Error(`the worker exited: ${started.output().slice(-2_000)}`);
        return started.output().includes('worker started') ? true : undefined;
      },
      60_000,
    );
    return started;
  };

  beforeAll(async () => {
    const bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
    const bundlePath = join(mkdtempSync(join(tmpdir(), 'homeroom-bundle-')), 'workflows.js');
    writeFileSync(bundlePath, bundle.code);
    workerEnv = {
      TEMPORAL_TASK_QUEUE: taskQueue,
      TEMPORAL_SCAN_TASK_QUEUE: `${taskQueue}-scan`,
      WORKFLOW_BUNDLE_PATH: bundlePath,
      // Info, for the 'worker started' line the test waits for.
      LOG_LEVEL: 'info',
    };
    pool = createTestPool();
    api = await startApi(testApiConfig({ TEMPORAL_TASK_QUEUE: taskQueue }));
    section = await createSectionFixture(pool, { students: STUDENTS });
    teacherToken = await signInAs(pool, section.districtId, section.teachers[0]!.id);
    worker = await startWorker();
  }, 180_000);

  afterAll(async () => {
    await worker?.stop('SIGTERM');
    await api?.close();
    await pool?.end();
  });

  for (let run = 1; run <= REPEATS; run++) {
    it(`when the worker is SIGKILLed mid fan-out and restarted (run ${run} of ${REPEATS}), then each recipient has exactly one delivery`, async () => {
      const posted = await request<{ id: string }>(
        api.baseUrl,
        'POST',
        `/v1/sections/${section.sectionId}/announcements`,
        { token: teacherToken, json: { body: `Crash run ${run}` } },
      );
      expect(posted.status).toBe(202);
      const announcementId = posted.body.id;

      await waitFor(
        'the first deliveries',
        // Within one start-to-close of the planning activity. Its first attempt once hung until that
        // timeout: the section's district was newer than the planner statistics, and the recipient
        // count joined users through the district index once per recipient (quadratic). Imports, and
        // the fixture standing in for one, now refresh the statistics (Database.analyze).
        async () => ((await deliveries(announcementId)) > 0 ? true : undefined),
        60_000,
      ).catch(async (error: Error) => {
        throw new Error(`${error.message}\n${await diagnosis(announcementId)}`);
      });
      // Vary the moment of the kill between runs: first wave, later waves, between batches.
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 150)));
      await worker!.stop('SIGKILL');
      const atKill = await deliveries(announcementId);
      const status = await pool.query('SELECT status FROM announcements WHERE id = $1', [announcementId]);
      expect(atKill).toBeLessThan(RECIPIENTS);
      expect(status.rows[0].status).toBe('fanning_out');

      const restartedAt = Date.now();
      worker = await startWorker();
      const final = await waitFor(
        'the restarted worker to finish the fan-out',
        async () => {
          const row = await pool.query(
            'SELECT status, recipient_count, delivered_count FROM announcements WHERE id = $1',
            [announcementId],
          );
          return row.rows[0].status === 'delivered' ? row.rows[0] : undefined;
        },
        45_000,
      );
      const recoveryMs = Date.now() - restartedAt;

      expect(final).toEqual({
        status: 'delivered',
        recipient_count: RECIPIENTS,
        delivered_count: RECIPIENTS,
      });
      const rows = await pool.query(
        `SELECT count(*)::int AS total, count(DISTINCT d.recipient_id)::int AS distinct_recipients,
                count(*) FILTER (WHERE d.recipient_id = ANY($2))::int AS expected
         FROM deliveries d WHERE d.announcement_id = $1`,
        [announcementId, [...section.students, ...section.guardians].map((u) => u.id)],
      );
      expect(rows.rows[0]).toEqual({
        total: RECIPIENTS,
        distinct_recipients: RECIPIENTS,
        expected: RECIPIENTS,
      });
      process.stdout.write(
        `fan-out crash run ${run}: ${atKill} deliveries at kill, recovered in ${recoveryMs} ms\n`,
      );
    });
  }
});

const quiet = () => undefined;
const quietLogger = { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: quiet };
