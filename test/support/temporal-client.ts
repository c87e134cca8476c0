import { Client, Connection } from '@temporalio/client';
import { type TemporalConfig } from '../../libs/config/config';
import { createDataConverter } from '../../libs/adapters/temporal/data-converter';
import { testWorkerConfig } from './config';

/**
 * A Temporal client on the test namespace with the project's payload codec, as the API and CLI have.
 * Close it with `client.connection.close()`.
 */
export async function connectTestClient(config: TemporalConfig = testWorkerConfig()): Promise<Client> {
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  return new Client({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    dataConverter: createDataConverter(config),
  });
}
