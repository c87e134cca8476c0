import { Connection } from '@temporalio/client';
import {
  type CliConfig,
  type EncryptionConfig,
  type EnvironmentConfig,
  type StorageConfig,
  type TemporalConfig,
} from '../../libs/config/config';
import { type FieldCipher } from '../../libs/crypto/envelope';
import { createFieldCipher, createKeyWrapper } from '../../libs/crypto/field-cipher';
import { type KeyWrapper } from '../../libs/crypto/key-wrapper';
import { type MasterKeyEnv } from '../../libs/crypto/master-key-ring';
import { Database } from '../../libs/db/database';
import { UnavailableError } from '../../libs/domain/errors/domain-errors';
import { type BlobStore } from '../../libs/adapters/storage/blob-store';
import { createBlobStore } from '../../libs/adapters/storage/blob-store.factory';
import { WorkflowGateway } from '../../libs/adapters/temporal/workflow-gateway';

/**
 * What a command may use beyond the database, built on first use from the configuration the command
 * validated (only `roster import` needs keys and storage, only Temporal commands a connection), then
 * kept for the rest of the process.
 */
export interface CliServices {
  fieldCipher(config: EncryptionConfig): FieldCipher;
  /** The master-key wrapper alone (key rotation re-wraps data keys with it). */
  keyWrapper(keys: MasterKeyEnv): KeyWrapper;
  blobStore(config: StorageConfig & EnvironmentConfig): BlobStore;
  /** A Temporal that does not answer is an UnavailableError naming its address. */
  workflows(config: TemporalConfig): Promise<WorkflowGateway>;
}

/** Everything the command-line process holds: built here and nowhere else, closed once at the end. */
export interface CliComposition {
  config: CliConfig;
  db: Database;
  services: CliServices;
  close(): Promise<void>;
}

export function createCliComposition(config: CliConfig): CliComposition {
  const db = Database.open(config.DATABASE_URL, { poolSize: 2 });
  let fieldCipher: FieldCipher | undefined;
  let blobStore: BlobStore | undefined;
  let temporal: { connection: Connection; workflows: WorkflowGateway } | undefined;
  return {
    config,
    db,
    services: {
      fieldCipher: (keys) => (fieldCipher ??= createFieldCipher(db.dataKeys, keys)),
      keyWrapper: (keys) => createKeyWrapper(keys),
      blobStore: (storage) => (blobStore ??= createBlobStore(storage)),
      workflows: async (temporalConfig) => {
        if (!temporal) {
          const connection = await Connection.connect({ address: temporalConfig.TEMPORAL_ADDRESS }).catch(
            () => {
              throw new UnavailableError(`Temporal does not answer at ${temporalConfig.TEMPORAL_ADDRESS}.`);
            },
          );
          temporal = { connection, workflows: WorkflowGateway.over(connection, temporalConfig) };
        }
        return temporal.workflows;
      },
    },
    close: async () => {
      await temporal?.connection.close();
      await db.disconnect();
    },
  };
}
