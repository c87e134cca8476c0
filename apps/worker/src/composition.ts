import { NativeConnection, type TelemetryOptions } from '@temporalio/worker';
import { type ActivityDeps } from '../../../activities';
import { ClamdScanner } from '../../../libs/adapters/clamd/clamd-scanner';
import { createTranslationProvider } from '../../../libs/adapters/translate/translation-provider.factory';
import { AlertSink } from '../../../libs/alerts/alert-sink';
import { type WorkerConfig } from '../../../libs/config/config';
import { createFieldCipher } from '../../../libs/crypto/field-cipher';
import { Database } from '../../../libs/db/database';
import { type Logger } from '../../../libs/logging/logger';
import { createWorkerMetrics } from '../../../libs/logging/metrics';
import { createBlobStore } from '../../../libs/adapters/storage/blob-store.factory';
import { WorkflowGateway } from '../../../libs/adapters/temporal/workflow-gateway';
import { WorkerOperatorEndpoint } from './operator-endpoint';

/**
 * Everything the worker process holds once: configuration, the database, the field cipher (one
 * data-key cache for every activity), the blob store, the Temporal connection its workers poll on,
 * the workflow gateway over it (Schedules, workflow state), and the process's metrics with the
 * operator listener that serves them. Built here and nowhere else.
 */
export interface WorkerComposition extends ActivityDeps {
  connection: NativeConnection;
  workflows: WorkflowGateway;
  operatorEndpoint: WorkerOperatorEndpoint;
  close(): Promise<void>;
}

export async function createWorkerComposition(
  config: WorkerConfig,
  logger: Logger,
  options: { /** Database connections; the configured pool size by default. */ poolSize?: number } = {},
): Promise<WorkerComposition> {
  const db = Database.open(config.DATABASE_URL, {
    poolSize: options.poolSize ?? config.DATABASE_POOL_SIZE,
    connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
  });
  let connection: NativeConnection;
  try {
    connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  } catch (error) {
    await db.disconnect();
    throw error;
  }
  const metrics = createWorkerMetrics();
  let operatorEndpoint: WorkerOperatorEndpoint;
  try {
    operatorEndpoint = await WorkerOperatorEndpoint.listen(
      config.WORKER_OPS_HOST,
      config.WORKER_OPS_PORT,
      metrics,
      logger,
    );
  } catch (error) {
    await connection.close();
    await db.disconnect();
    throw error;
  }
  const workflows = WorkflowGateway.over(connection, config);
  return {
    config,
    logger,
    db,
    fieldCipher: createFieldCipher(db.dataKeys, config),
    blobStore: createBlobStore(config, 'temporal'),
    scanner: new ClamdScanner({
      host: config.CLAMD_HOST,
      port: config.CLAMD_PORT,
      timeoutMs: config.CLAMD_TIMEOUT_MS,
    }),
    translationProvider: createTranslationProvider(config),
    alerts: new AlertSink(db, config, logger),
    connection,
    workflows,
    workflowState: (workflowId) => workflows.workflowState(workflowId),
    metrics,
    operatorEndpoint,
    close: async () => {
      await operatorEndpoint.close();
      await connection.close();
      await db.disconnect();
    },
  };
}

/**
 * The SDK's own worker metrics (task slots, poll and schedule-to-start latencies, sticky cache) in
 * Prometheus format on TEMPORAL_METRICS_BIND's `/metrics`, served by the SDK's core; none unless set.
 */
export function temporalTelemetry(config: Pick<WorkerConfig, 'TEMPORAL_METRICS_BIND'>): TelemetryOptions {
  if (!config.TEMPORAL_METRICS_BIND) return {};
  return {
    metrics: {
      prometheus: { bindAddress: config.TEMPORAL_METRICS_BIND, useSecondsForDurations: true },
    },
  };
}
