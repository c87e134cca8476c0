import { randomBytes, randomUUID } from 'node:crypto';
import { type Pool } from 'pg';
import { type Client } from '@temporalio/client';
import { TemporalClientService } from '../../apps/api/src/temporal/temporal-client.service';
import { workflowIds } from '../../libs/adapters/temporal/workflow-safe/workflow-ids';
import {
  announcementFanOutWorkflow,
  announcementProgressQuery,
} from '../../workflows/announcement-fan-out.workflow';
import { testApiConfig, testWorkerConfig } from '../support/config';
import { createTestPool } from '../support/database';
import { type RunningApi, startApi } from '../support/http';
import { createSectionFixture, type SectionFixture } from '../support/roster-factory';
import { startTestWorkers, type TestWorkers } from '../support/workers';

/** The fan-out workflow against the real Temporal server and database, started directly. */
describe('announcement fan-out workflow', () => {
  const taskQueue = `fanout-${randomUUID()}`;
  let api: RunningApi;
  let workers: TestWorkers;
  let pool: Pool;
  let client: Client;

  /** An announcement row as the API stores it; the workflow needs nothing else. */
  async function announcementFor(section: SectionFixture): Promise<string> {
    const id = randomUUID();
    const key = await pool.query<{ id: string }>(
      `INSERT INTO data_keys (district_id, master_key_id, wrapped_key) VALUES ($1, 'unused', $2) RETURNING id`,
      [section.districtId, randomBytes(60)],
    );
    await pool.query(
      `INSERT INTO announcements (id, district_id, section_id, author_id, body_ciphertext, data_key_id, source_language)
       VALUES ($1, $2, $3, $4, $5, $6, 'en')`,
      [id, section.districtId, section.sectionId, section.teachers[0]!.id, randomBytes(40), key.rows[0]!.id],
    );
    return id;
  }
  const deliveries = async (announcementId: string) =>
    (
      await pool.query(
        'SELECT count(*)::int AS total, count(DISTINCT recipient_id)::int AS distinct_recipients FROM deliveries WHERE announcement_id = $1',
        [announcementId],
      )
    ).rows[0] as { total: number; distinct_recipients: number };

  beforeAll(async () => {
    pool = createTestPool();
    api = await startApi(testApiConfig({ TEMPORAL_TASK_QUEUE: taskQueue }));
    workers = await startTestWorkers(testWorkerConfig({ TEMPORAL_TASK_QUEUE: taskQueue }));
    client = api.app.get(TemporalClientService).client;
  });
  afterAll(async () => {
    await workers?.stop();
    await api?.close();
    await pool?.end();
  });

  it('when a run reaches its batch limit, then it continues as new and the chain delivers to everyone once', async () => {
    const section = await createSectionFixture(pool, { students: 1_300 });
    const announcementId = await announcementFor(section);
    const workflowId = workflowIds.announcement(announcementId);

    const handle = await client.workflow.start(announcementFanOutWorkflow, {
      taskQueue,
      workflowId,
      args: [{ districtId: section.districtId, announcementId, batchesPerRun: 2 }],
    });
    const result = await handle.result();

    expect(result).toEqual({ recipientCount: 2_600, deliveredCount: 2_600 });
    expect(await deliveries(announcementId)).toEqual({ total: 2_600, distinct_recipients: 2_600 });
    const runs: string[] = [];
    for await (const execution of client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) {
      runs.push(execution.runId);
    }
    // 6 batches at 2 per run: three runs.
    expect(runs.length).toBe(3);
    expect(await handle.query(announcementProgressQuery)).toEqual({
      stage: 'delivered',
      recipientCount: 2_600,
      batchCount: 6,
      batchesDone: 6,
    });
    const row = await pool.query(
      'SELECT status, recipient_count, delivered_count FROM announcements WHERE id = $1',
      [announcementId],
    );
    expect(row.rows[0]).toEqual({ status: 'delivered', recipient_count: 2_600, delivered_count: 2_600 });
  });

  it('when the section has nobody to reach, then the fan-out finishes at once with zero deliveries', async () => {
    const section = await createSectionFixture(pool, { students: 0 });
    const announcementId = await announcementFor(section);

    const result = await client.workflow.execute(announcementFanOutWorkflow, {
      taskQueue,
      workflowId: workflowIds.announcement(announcementId),
      args: [{ districtId: section.districtId, announcementId }],
    });

    expect(result).toEqual({ recipientCount: 0, deliveredCount: 0 });
    expect(await deliveries(announcementId)).toEqual({ total: 0, distinct_recipients: 0 });
  });

  it('when the announcement does not exist in the district, then the fan-out fails without retrying', async () => {
    const section = await createSectionFixture(pool, { students: 1 });
    const foreign = await createSectionFixture(pool, { students: 1 });
    const announcementId = await announcementFor(foreign);

    const started = Date.now();
    await expect(
      client.workflow.execute(announcementFanOutWorkflow, {
        taskQueue,
        workflowId: workflowIds.announcement(announcementId),
        args: [{ districtId: section.districtId, announcementId }],
      }),
    ).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await deliveries(announcementId)).toEqual({ total: 0, distinct_recipients: 0 });
    const row = await pool.query('SELECT status FROM announcements WHERE id = $1', [announcementId]);
    expect(row.rows[0].status).toBe('fanning_out');
  });

  it('when students leave while the fan-out runs, then everyone still enrolled is reached and nobody twice', async () => {
    const section = await createSectionFixture(pool, { students: 2_000 });
    const announcementId = await announcementFor(section);
    const handle = await client.workflow.start(announcementFanOutWorkflow, {
      taskQueue,
      workflowId: workflowIds.announcement(announcementId),
      args: [{ districtId: section.districtId, announcementId }],
    });
    const leaving = section.students.slice(0, 200).map((s) => s.id);
    await pool.query('DELETE FROM section_memberships WHERE section_id = $1 AND user_id = ANY($2)', [
      section.sectionId,
      leaving,
    ]);

    await handle.result();

    const stayed = section.students.slice(200);
    const missed = await pool.query(
      `SELECT count(*)::int AS n FROM unnest($2::uuid[]) AS s(id)
       WHERE NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.announcement_id = $1 AND d.recipient_id = s.id)`,
      [announcementId, stayed.map((s) => s.id)],
    );
    expect(missed.rows[0].n).toBe(0);
    const counts = await deliveries(announcementId);
    expect(counts.total).toBe(counts.distinct_recipients);
  });
});
