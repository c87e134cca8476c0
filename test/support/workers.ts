import { IllegalStateError } from '@temporalio/common';
import {
  bundleWorkflowCode,
  DefaultLogger,
  Runtime,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { createWorkerComposition } from '../../apps/worker/src/composition';
import { createHomeroomWorkers, WORKFLOWS_PATH } from '../../apps/worker/src/worker.factory';
import { type WorkerConfig } from '../../libs/config/config';
import { createLogger } from '../../libs/logging/logger';
import { FAILURE_CONVERTER_PATH } from '../../libs/adapters/temporal/data-converter';

export interface TestWorkers {
  /** The worker's operator listener (its Prometheus `/metrics`). */
  opsAddress: string;
  stop(): Promise<void>;
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** Bundling the workflows takes seconds; a test file bundles once and reuses it. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: quietBundlerLogger,
  });
  return bundle;
}

const quiet = () => undefined;
const quietBundlerLogger = { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: quiet };

/**
 * Test output shows what goes wrong, not every worker state change. The runtime can be installed once
 * per test file; a file that starts several workers keeps the first installation.
 */
function quietTemporalRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch (error) {
    if (!(error instanceof IllegalStateError)) throw error;
  }
}

/** The real worker code, in-process, against the real Temporal dev server and the test database. */
export async function startTestWorkers(config: WorkerConfig): Promise<TestWorkers> {
  quietTemporalRuntime();
  const logger = createLogger({ name: 'homeroom-worker-test', level: config.LOG_LEVEL });
  const composition = await createWorkerComposition(config, logger, { poolSize: 5 });
  const homeroom = await createHomeroomWorkers(composition, { workflowBundle: await workflowBundle() });
  const running = homeroom.run();
  return {
    opsAddress: composition.operatorEndpoint.address(),
    stop: async () => {
      homeroom.shutdown();
      await running;
      await composition.close();
    },
  };
}
