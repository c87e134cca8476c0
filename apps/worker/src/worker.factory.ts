import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../../activities';
import { createDataConverter } from '../../../libs/temporal/data-converter';

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
  overrides: Partial<Pick<WorkerOptions, 'workflowBundle' | 'maxConcurrentActivityTaskExecutions'>> = {},
): Promise<HomeroomWorkers> {
  const { config } = deps;
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const dataConverter = createDataConverter(config);
  const activities = createActivities(deps);
  const workflowSource = overrides.workflowBundle
    ? { workflowBundle: overrides.workflowBundle }
    : { workflowsPath: WORKFLOWS_PATH };
  const main = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    dataConverter,
    activities,
    ...workflowSource,
    maxConcurrentActivityTaskExecutions: overrides.maxConcurrentActivityTaskExecutions ?? 20,
  });
  const workers = [main];
  return {
    connection,
    workers,
    run: async () => {
      await Promise.all(workers.map((w) => w.run()));
    },
    shutdown: () => workers.forEach((w) => w.shutdown()),
  };
}
