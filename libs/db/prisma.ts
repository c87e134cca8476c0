import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client';

export type HomeroomPrismaClient = PrismaClient;

export interface PrismaClientOptions {
  /** Upper bound of open connections in the node-postgres pool behind the client. */
  poolSize?: number;
}

/** The generated client is engine-free: every query goes through node-postgres via the driver adapter. */
export function createPrismaClient(
  databaseUrl: string,
  options: PrismaClientOptions = {},
): HomeroomPrismaClient {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: options.poolSize });
  return new PrismaClient({ adapter });
}
