import { randomUUID } from 'node:crypto';
import { type Client, Connection } from '@temporalio/client';
import { type TemporalConfig } from '../../libs/config/config';
import { WorkflowGateway, workflowClient } from '../../libs/adapters/temporal/workflow-gateway';
import { workflowIds } from '../../libs/adapters/temporal/workflow-safe/workflow-ids';
import { createLogger } from '../../libs/logging/logger';
import { type OutboxStarts, WorkflowOutboxDrainer } from '../../libs/outbox/workflow-outbox-drainer';
import { testWorkerConfig } from '../support/config';
import { createDistrict, openTestDatabase, type TestDatabase } from '../support/factories';
import { rowsOf } from '../support/database';
import { freePort } from '../support/processes';
import { connectTestClient } from '../support/temporal-client';

/**
 * The workflow outbox's drain against the real PostgreSQL and Temporal (issue 14). Each test has a task
 * queue of its own with no worker, so a started translation stays running until this suite terminates
 * it: what is asserted is which rows were claimed, which starts the server recorded, and what is left.
 */
describe('the workflow outbox drain', () => {
  const logger = createLogger({ name: 'outbox-test', level: 'error' });
  let database: TestDatabase;
  let client: Client;
  let districtId: string;
  const started = new Set<string>();

  /** The real gateway on `taskQueue`, counting the starts it was asked for per subject. */
  function countingGateway(config: TemporalConfig, counts: Map<string, number>): OutboxStarts {
    const gateway = WorkflowGateway.on(client, config);
    return {
      startTranslation: async (ref) => {
        counts.set(ref.subjectId, (counts.get(ref.subjectId) ?? 0) + 1);
        const workflowId = await gateway.startTranslation(ref);
        started.add(workflowId);
        return workflowId;
      },
    };
  }

  function queueConfig(): TemporalConfig {
    const taskQueue = `outbox-${randomUUID()}`;
    return testWorkerConfig({
      TEMPORAL_TASK_QUEUE: taskQueue,
      TEMPORAL_SCAN_TASK_QUEUE: `${taskQueue}-scan`,
    });
  }

  /** Messages owe translations: rows as the API writes them, in a transaction of the district. */
  async function enqueue(taskQueue: string, count: number): Promise<string[]> {
    const subjectIds = Array.from({ length: count }, () => randomUUID());
    await database.db.transaction(districtId, async (tx) => {
      for (const subjectId of subjectIds) {
        await tx.outbox.enqueue({ kind: 'message_translation', subjectId }, taskQueue);
      }
    });
    return subjectIds;
  }

  const pendingOn = (taskQueue: string) =>
    rowsOf(database.db).workflowOutbox.findMany({
      where: { taskQueue },
      select: { id: true, subjectId: true, attempts: true, availableAt: true },
    });

  const runStatus = async (subjectId: string) =>
    (await client.workflow.getHandle(workflowIds.translation('message', subjectId)).describe()).status.name;

  beforeAll(async () => {
    database = openTestDatabase();
    client = await connectTestClient();
    districtId = await createDistrict(database.db);
  });

  afterAll(async () => {
    for (const workflowId of started) {
      await client.workflow
        .getHandle(workflowId)
        .terminate('workflow outbox test')
        .catch(() => undefined);
    }
    await client?.connection.close();
    await database?.close();
  });

  it('when a subject is queued twice, then it keeps one row, and only rows of the drainer’s own task queue are claimed', async () => {
    const config = queueConfig();
    const [subjectId] = await enqueue(config.TEMPORAL_TASK_QUEUE, 1);
    await database.db.transaction(districtId, (tx) =>
      tx.outbox.enqueue({ kind: 'message_translation', subjectId: subjectId! }, config.TEMPORAL_TASK_QUEUE),
    );
    const other = queueConfig();
    const [otherSubject] = await enqueue(other.TEMPORAL_TASK_QUEUE, 1);

    const counts = new Map<string, number>();
    const drainer = new WorkflowOutboxDrainer(
      database.db.workflowOutbox,
      countingGateway(config, counts),
      logger,
      { taskQueue: config.TEMPORAL_TASK_QUEUE, pollMs: 50 },
    );
    expect(await drainer.drainOnce()).toBe(1);

    expect([...counts]).toEqual([[subjectId, 1]]);
    expect(await runStatus(subjectId!)).toBe('RUNNING');
    expect(await pendingOn(config.TEMPORAL_TASK_QUEUE)).toEqual([]);
    const left = await pendingOn(other.TEMPORAL_TASK_QUEUE);
    expect(left.map((row) => row.subjectId)).toEqual([otherSubject]);
    await database.db.workflowOutbox.complete(left.map((row) => row.id));
  });

  it('when two drainers run side by side over 120 rows, then every row is started exactly once and none is left', async () => {
    const config = queueConfig();
    const subjectIds = await enqueue(config.TEMPORAL_TASK_QUEUE, 120);
    const counts = [new Map<string, number>(), new Map<string, number>()];
    const drainers = counts.map(
      (perDrainer) =>
        new WorkflowOutboxDrainer(database.db.workflowOutbox, countingGateway(config, perDrainer), logger, {
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          pollMs: 20,
          batchSize: 10,
        }),
    );
    drainers.forEach((drainer) => drainer.start());
    try {
      const deadline = Date.now() + 30_000;
      while ((await pendingOn(config.TEMPORAL_TASK_QUEUE)).length > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      await Promise.all(drainers.map((drainer) => drainer.stop()));
    }

    expect(await pendingOn(config.TEMPORAL_TASK_QUEUE)).toEqual([]);
    const total = new Map<string, number>();
    for (const perDrainer of counts) {
      for (const [subjectId, n] of perDrainer) total.set(subjectId, (total.get(subjectId) ?? 0) + n);
    }
    expect([...total.keys()].sort()).toEqual([...subjectIds].sort());
    expect([...total.values()].every((n) => n === 1)).toBe(true);
    // Both took part: the claims are disjoint, not serialized behind one drainer.
    expect(counts.every((perDrainer) => perDrainer.size > 0)).toBe(true);
    for (const subjectId of subjectIds.slice(0, 5)) expect(await runStatus(subjectId)).toBe('RUNNING');
  });

  it('when a drainer dies after claiming a row, then no other drainer starts it before the lease ends, and one does after', async () => {
    const config = queueConfig();
    const [subjectId] = await enqueue(config.TEMPORAL_TASK_QUEUE, 1);
    const dead = await database.db.workflowOutbox.claim(config.TEMPORAL_TASK_QUEUE, 10, 1_500);
    expect(dead.map((row) => row.subjectId)).toEqual([subjectId]);

    const counts = new Map<string, number>();
    const drainer = new WorkflowOutboxDrainer(
      database.db.workflowOutbox,
      countingGateway(config, counts),
      logger,
      { taskQueue: config.TEMPORAL_TASK_QUEUE, pollMs: 50 },
    );
    expect(await drainer.drainOnce()).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1_600));
    expect(await drainer.drainOnce()).toBe(1);

    expect([...counts]).toEqual([[subjectId, 1]]);
    expect(await runStatus(subjectId!)).toBe('RUNNING');
    expect(await pendingOn(config.TEMPORAL_TASK_QUEUE)).toEqual([]);
  });

  it('when Temporal is unreachable, then the row stays with a backoff and its lag shows, and a drainer that reaches Temporal starts it', async () => {
    const config = queueConfig();
    const [subjectId] = await enqueue(config.TEMPORAL_TASK_QUEUE, 1);
    const committedBy = Date.now();
    const closed = Connection.lazy({ address: `127.0.0.1:${await freePort()}` });
    const unreachable = WorkflowGateway.on(workflowClient(closed, config), config, 1_000);
    try {
      const failing = new WorkflowOutboxDrainer(database.db.workflowOutbox, unreachable, logger, {
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        pollMs: 400,
      });
      const before = Date.now();
      expect(await failing.drainOnce()).toBe(1);
      const [row] = await pendingOn(config.TEMPORAL_TASK_QUEUE);
      expect(row?.attempts).toBe(1);
      // The first retry waits one poll interval, not the claim's lease.
      expect(row!.availableAt.getTime()).toBeGreaterThanOrEqual(before + 300);
      expect(row!.availableAt.getTime()).toBeLessThan(Date.now() + 1_000);
      expect(await failing.drainOnce()).toBe(0);
    } finally {
      await closed.close();
    }
    const askedAt = Date.now();
    const lag = await database.db.workflowOutbox.lag(config.TEMPORAL_TASK_QUEUE);
    expect(lag.pending).toBe(1);
    // One clock (this machine's) on both sides: the row is at least as old as the time since its commit.
    expect(lag.oldestMs).toBeGreaterThanOrEqual(askedAt - committedBy - 2);
    expect(lag.oldestMs).toBeGreaterThan(0);

    await new Promise((resolve) => setTimeout(resolve, 500));
    const counts = new Map<string, number>();
    const reaching = new WorkflowOutboxDrainer(
      database.db.workflowOutbox,
      countingGateway(config, counts),
      logger,
      { taskQueue: config.TEMPORAL_TASK_QUEUE, pollMs: 400 },
    );
    expect(await reaching.drainOnce()).toBe(1);
    expect([...counts]).toEqual([[subjectId, 1]]);
    expect(await runStatus(subjectId!)).toBe('RUNNING');
    expect(await database.db.workflowOutbox.lag(config.TEMPORAL_TASK_QUEUE)).toEqual({
      pending: 0,
      oldestMs: 0,
    });
  });
});
