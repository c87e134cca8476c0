import { NativeConnection } from '@temporalio/worker';
import { type ActivityDeps } from '../../../activities';
import { ClamdScanner } from '../../../libs/adapters/clamd/clamd-scanner';
import { createTranslationProvider } from '../../../libs/adapters/translate/translation-provider.factory';
import { AlertSink } from '../../../libs/alerts/alert-sink';
import { type WorkerConfig } from '../../../libs/config/config';
import { createFieldCipher } from '../../../libs/crypto/field-cipher';
import { Database } from '../../../libs/db/database';
import { type Logger } from '../../../libs/logging/logger';
import { createBlobStore } from '../../../libs/adapters/storage/blob-store.factory';
import { WorkflowGateway } from '../../../libs/adapters/temporal/workflow-gateway';

/**
 * Everything the worker process holds once: configuration, the database, the field cipher (one
 * data-key cache for every activity), the blob store, the Temporal connection its workers poll on,
 * and the workflow gateway over it (Schedules, workflow state). Built here and nowhere else.
 */
export interface WorkerComposition extends ActivityDeps {
  connection: NativeConnection;
  workflows: WorkflowGateway;
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
    close: async () => {
      await connection.close();
      await db.disconnect();
    },
  };
}
