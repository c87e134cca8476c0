import { Connection } from '@temporalio/client';
import { type ApiConfig } from '../../../libs/config/config';
import { type FieldCipher } from '../../../libs/crypto/envelope';
import { createFieldCipher } from '../../../libs/crypto/field-cipher';
import { Database } from '../../../libs/db/database';
import { type Logger } from '../../../libs/logging/logger';
import { type ApiMetrics, createApiMetrics } from '../../../libs/logging/metrics';
import { type BlobStore } from '../../../libs/adapters/storage/blob-store';
import { createBlobStore } from '../../../libs/adapters/storage/blob-store.factory';
import { WorkflowGateway, workflowClient } from '../../../libs/adapters/temporal/workflow-gateway';
import { TemporalClientService } from './temporal/temporal-client.service';

/** A request waits this long at most for Temporal to take a start or cancel before it answers 503. */
const WORKFLOW_DEADLINE_MS = 5_000;

/**
 * Everything the API process holds once: configuration, the database, the field cipher (one data-key
 * cache for bodies, translations, TOTP secrets and blobs), the blob store, the Temporal connection,
 * the workflow gateway over it and the process's metrics (served on the operator listener). Built here and nowhere else; Nest receives these as values.
 */
export interface ApiComposition {
  config: ApiConfig;
  logger: Logger;
  db: Database;
  fieldCipher: FieldCipher;
  blobStore: BlobStore;
  temporal: TemporalClientService;
  workflows: WorkflowGateway;
  metrics: ApiMetrics;
  close(): Promise<void>;
}

export function createApiComposition(config: ApiConfig, logger: Logger): ApiComposition {
  const db = Database.open(config.DATABASE_URL, {
    poolSize: config.DATABASE_POOL_SIZE,
    connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
  });
  // Lazy, so the API starts (and reports Temporal as down in readiness) while Temporal is unreachable;
  // gRPC reconnects on its own when it returns. Its default reconnect backoff grows to two minutes,
  // so after a Temporal restart the API would answer 503 that long: a retry a second costs nothing.
  const connection = Connection.lazy({
    address: config.TEMPORAL_ADDRESS,
    channelArgs: { 'grpc.initial_reconnect_backoff_ms': 200, 'grpc.max_reconnect_backoff_ms': 1_000 },
  });
  const temporal = new TemporalClientService(connection, workflowClient(connection, config));
  return {
    config,
    logger,
    db,
    fieldCipher: createFieldCipher(db.dataKeys, config),
    blobStore: createBlobStore(config),
    temporal,
    workflows: WorkflowGateway.on(temporal.client, config, WORKFLOW_DEADLINE_MS),
    metrics: createApiMetrics(),
    close: async () => {
      await connection.close();
      await db.disconnect();
    },
  };
}
