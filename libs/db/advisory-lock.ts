import { type DbClient } from './db-client';

/**
 * Takes the transaction-scoped advisory lock named `key` (hashed to PostgreSQL's 64-bit lock space),
 * waiting for whoever holds it; it is released when the surrounding transaction ends.
 */
export async function advisoryXactLock(client: DbClient, key: string): Promise<void> {
  await client.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0))`;
}
