import { Client } from '@temporalio/client';
import {
  bundleWorkflowCode,
  NativeConnection,
  Runtime,
  Worker,
  type WorkerOptions,
} from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../../activities';
import { ensureAttachmentRetentionSchedule } from '../../../libs/attachments/retention-schedule';
import { createDataConverter } from '../../../libs/adapters/temporal/data-converter';

export const WORKFLOWS_PATH = require.resolve('../../../workflows');

export interface HomeroomWorkers {
  connection: NativeConnection;
  workers: Worker[];
  run(): Promise<void>;
  shutdown(): void;
}

/**
 * Builds the worker processes' Temporal workers: the main queue runs workflows and database activities;
 * scanning gets its own queue so a flood of uploads cannot starve announcements (and vice versa).
 */
export async function createHomeroomWorkers(
  deps: ActivityDeps,
  overrides: Partial<Pick<WorkerOptions, 'workflowBundle' | 'maxConcurrentActivityTaskExecutions'>> & {
    /** Create or update the orphaned-upload sweep's Schedule; off by default in the test environment. */
    retentionSchedule?: boolean;
  } = {},
): Promise<HomeroomWorkers> {
  const { config } = deps;
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const dataConverter = createDataConverter(config);
  const activities = createActivities(deps);
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
    await ensureAttachmentRetentionSchedule(
      new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter }),
      { taskQueue: config.TEMPORAL_TASK_QUEUE, everyMinutes: config.ORPHAN_SWEEP_INTERVAL_MINUTES },
    );
  }
  return {
    connection,
    workers,
    run: async () => {
      await Promise.all(workers.map((w) => w.run()));
    },
    shutdown: () => workers.forEach((w) => w.shutdown()),
  };
}
