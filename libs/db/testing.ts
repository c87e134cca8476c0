import { type Database } from './database';
import { type HomeroomPrismaClient } from './prisma';
import { registeredClient } from './raw-clients';

/**
 * Test-only access to the data layer's insides: tests seed and inspect rows with the Prisma client
 * behind a Database, and the data layer's own tests reach its prepared statements and error types.
 * Only test/support imports this module (the dependency rules say so); product code goes through the
 * repositories.
 */
export function prismaOf(db: Database): HomeroomPrismaClient {
  return registeredClient(db);
}

export { Prisma } from './generated/client';
export { preparedStatement, runPrepared } from './prisma';
