import { bundleWorkflowCode, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../../../activities';
import { createDataConverter } from '../../../libs/adapters/temporal/data-converter';
import { WorkflowOutboxDrainer } from '../../../libs/outbox/workflow-outbox-drainer';
import { type WorkerComposition } from './composition';
import { WorkerTelemetry } from './worker-telemetry';

export const WORKFLOWS_PATH = require.resolve('../../../workflows');

export interface HomeroomWorkers {
  workers: Worker[];
  /** Starts the workflows the outbox owes while the workers run; its status() is the outbox lag. */
  outbox: WorkflowOutboxDrainer;
  /** Event-loop delay, slot use and database pool waits; logged each minute while the workers run. */
  telemetry: WorkerTelemetry;
  run(): Promise<void>;
  shutdown(): void;
}

/**
 * Builds the worker processes' Temporal workers on the composition root's connection: the main queue
 * runs workflows and database activities; scanning gets its own queue so a flood of uploads cannot
 * starve announcements (and vice versa). Beside them, the workflow outbox's drainer runs for as long
 * as they do.
 */
export async function createHomeroomWorkers(
  composition: WorkerComposition,
  overrides: Partial<Pick<WorkerOptions, 'workflowBundle' | 'maxConcurrentActivityTaskExecutions'>> & {
    /** Create or update the orphaned-upload sweep's Schedule; off by default in the test environment. */
    retentionSchedule?: boolean;
  } = {},
): Promise<HomeroomWorkers> {
  const { config, connection } = composition;
  const dataConverter = createDataConverter(config);
  const activities = createActivities(composition);
  // Both queues run the same workflow code: bundle it once.
  const workflowSource = {
    workflowBundle:
      overrides.workflowBundle ??
      (await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: Runtime.instance().logger })),
  };
  const main = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    dataConverter,
    activities,
    ...workflowSource,
    maxConcurrentActivityTaskExecutions: overrides.maxConcurrentActivityTaskExecutions ?? 20,
    // After a worker dies, its cached workflows move to another worker this soon (default 10 s).
    stickyQueueScheduleToStartTimeout: '2 seconds',
  });
  const scan = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_SCAN_TASK_QUEUE,
    dataConverter,
    activities,
    ...workflowSource,
    // Each scan streams a file through memory to clamd; bound how many run at once.
    maxConcurrentActivityTaskExecutions: 8,
  });
  const workers = [main, scan];
  if (overrides.retentionSchedule ?? config.HOMEROOM_ENV !== 'test') {
    await composition.workflows.ensureAttachmentRetentionSchedule(config.ORPHAN_SWEEP_INTERVAL_MINUTES);
  }
  const outbox = new WorkflowOutboxDrainer(
    composition.db.workflowOutbox,
    composition.workflows,
    composition.logger,
    {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      pollMs: config.OUTBOX_POLL_MS,
    },
  );
  composition.metrics.watchOutbox(() => outbox.status());
  const telemetry = new WorkerTelemetry({ db: composition.db, logger: composition.logger, workers });
  return {
    workers,
    outbox,
    telemetry,
    run: async () => {
      outbox.start();
      telemetry.start();
      try {
        await Promise.all(workers.map((w) => w.run()));
      } finally {
        telemetry.stop();
        await outbox.stop();
      }
    },
    shutdown: () => workers.forEach((w) => w.shutdown()),
  };
}
