import { randomUUID } from 'node:crypto';
import { createWorkerComposition, type WorkerComposition } from '../../apps/worker/src/composition';
import { createHomeroomWorkers, type HomeroomWorkers } from '../../apps/worker/src/worker.factory';
import { createLogger } from '../../libs/logging/logger';
import { testWorkerConfig } from '../support/config';
import { rowsOf } from '../support/database';
import { workflowBundle } from '../support/workers';

/**
 * The worker's own account of a stall, read from a running worker on the real Temporal and
 * PostgreSQL: event-loop delay, slots per task queue and database pool waits.
 */
describe('worker telemetry', () => {
  let composition: WorkerComposition;
  let homeroom: HomeroomWorkers;
  let running: Promise<void>;

  beforeAll(async () => {
    const taskQueue = `telemetry-${randomUUID()}`;
    const config = testWorkerConfig({
      TEMPORAL_TASK_QUEUE: taskQueue,
      TEMPORAL_SCAN_TASK_QUEUE: `${taskQueue}-scan`,
    });
    composition = await createWorkerComposition(
      config,
      createLogger({ name: 'telemetry-test', level: 'warn' }),
      {
        poolSize: 3,
      },
    );
    homeroom = await createHomeroomWorkers(composition, { workflowBundle: await workflowBundle() });
    running = homeroom.run();
  }, 60_000);

  afterAll(async () => {
    homeroom?.shutdown();
    await running;
    await composition?.close();
  });

  it('when the workers run, then each task queue reports its slots in use against its fixed limit', () => {
    const { queues } = homeroom.telemetry.snapshot();
    expect(queues.map((q) => q.taskQueue)).toEqual(homeroom.workers.map((w) => w.options.taskQueue));
    const [main, scan] = queues;
    expect(main!.activities).toEqual({ used: 0, max: 20 });
    expect(scan!.activities).toEqual({ used: 0, max: 8 });
    expect(main!.workflowTasks.used).toBe(0);
    expect(main!.workflowTasks.max).toBeGreaterThan(0);
  });

  it('when more queries run at once than the pool has connections, then the pool reports the waits', async () => {
    // The outbox drainer polls through the same pool; stopped, so only this test's queries count.
    await homeroom.outbox.stop();
    const before = composition.db.poolStats()!;
    expect(before.max).toBe(3);
    // Nine queries that each hold a connection for 100 ms, over three connections: at least six of them
    // find none idle and wait (a query that returns at once could free its connection for the next).
    const rows = rowsOf(composition.db);
    await Promise.all(Array.from({ length: 9 }, () => rows.$queryRaw`SELECT pg_sleep(0.1)::text AS slept`));
    const after = composition.db.poolStats()!;
    expect(after.acquisitions - before.acquisitions).toBe(9);
    expect(after.waited - before.waited).toBeGreaterThanOrEqual(6);
    expect(after.waitedMsMax).toBeGreaterThan(0);
    expect(after.open).toBeLessThanOrEqual(3);
    expect(after.queued).toBe(0);
  });

  it('when the event loop is blocked, then the delay shows at least the time it was blocked', async () => {
    const blockedUntil = performance.now() + 300;
    while (performance.now() < blockedUntil) {
      // Busy on purpose: nothing else runs meanwhile, as with a synchronous parse in an activity.
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    const { eventLoopDelayMs, eventLoopDelayMaxSinceStartMs } = homeroom.telemetry.snapshot();
    expect(eventLoopDelayMs.max).toBeGreaterThanOrEqual(250);
    expect(eventLoopDelayMaxSinceStartMs).toBeGreaterThanOrEqual(eventLoopDelayMs.max);
  });
});
