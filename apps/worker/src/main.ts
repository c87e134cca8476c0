import { Runtime } from '@temporalio/worker';
import { ConfigError, loadWorkerConfig } from '../../../libs/config/config';
import { createLogger } from '../../../libs/logging/logger';
import { createWorkerComposition, temporalTelemetry } from './composition';
import { ensureRosterSchedulesAtStart } from './roster-schedules';
import { createHomeroomWorkers } from './worker.factory';

async function main(): Promise<void> {
  let config;
  try {
    config = loadWorkerConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`homeroom-worker: ${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  const logger = createLogger({ name: 'homeroom-worker', level: config.LOG_LEVEL });
  Runtime.install({ logger: temporalLogger(logger), telemetryOptions: temporalTelemetry(config) });
  const composition = await createWorkerComposition(config, logger);
  // A workflow bundle built ahead of time (bundleWorkflowCode) saves seconds at every start.
  const bundlePath = process.env.WORKFLOW_BUNDLE_PATH;
  const homeroom = await createHomeroomWorkers(
    composition,
    bundlePath ? { workflowBundle: { codePath: bundlePath } } : {},
  );
  await ensureRosterSchedulesAtStart(composition);
  logger.info(
    { namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.TEMPORAL_TASK_QUEUE },
    'worker started',
  );
  try {
    await homeroom.run();
  } finally {
    await composition.close();
    logger.info('worker stopped');
  }
}

/** Temporal's core logs go through the same structured, redacting logger as ours. */
function temporalLogger(logger: ReturnType<typeof createLogger>) {
  const log =
    (level: 'trace' | 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, meta?: Record<string, unknown>) =>
      logger[level]({ temporal: meta }, message);
  return {
    log: (level: string, message: string, meta?: Record<string, unknown>) =>
      log((level.toLowerCase() as 'info') ?? 'info')(message, meta),
    trace: log('trace'),
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
  };
}

main().catch((error: unknown) => {
  process.stderr.write(`homeroom-worker: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
