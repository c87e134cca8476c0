import { type Prisma } from './generated/client';

/**
 * What repositories run their queries on: the Prisma client itself or a transaction of it. Taking the
 * narrower transaction type lets the same repository code run inside `Database.transaction`.
 */
export type DbClient = Prisma.TransactionClient;
