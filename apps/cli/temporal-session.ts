import { Client, Connection } from '@temporalio/client';
import { type TemporalConfig } from '../../libs/config/config';
import { UnavailableError } from '../../libs/domain/errors/domain-errors';
import { createDataConverter } from '../../libs/adapters/temporal/data-converter';

/**
 * Runs `work` with a Temporal client (payload codec included) and closes the connection after; a
 * Temporal that does not answer is an UnavailableError naming its address.
 */
export async function withTemporalClient<T>(
  config: TemporalConfig,
  work: (client: Client) => Promise<T>,
): Promise<T> {
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS }).catch(() => {
    throw new UnavailableError(`Temporal does not answer at ${config.TEMPORAL_ADDRESS}.`);
  });
  try {
    return await work(
      new Client({
        connection,
        namespace: config.TEMPORAL_NAMESPACE,
        dataConverter: createDataConverter(config),
      }),
    );
  } finally {
    await connection.close();
  }
}
