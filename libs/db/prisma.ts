import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client';

export type HomeroomPrismaClient = PrismaClient;

export interface PrismaClientOptions {
  /** Upper bound of open connections in the node-postgres pool behind the client. */
  poolSize?: number;
}

const PREPARED_MARKER = /^\s*\/\* prepared:([a-z][a-z0-9_]*) \*\//;

/**
 * The name a raw statement runs under as a prepared statement: the `<name>` of a leading
 * `/* prepared:<name> *\/` comment, or '' (node-postgres's unnamed statement, parsed and planned on
 * every call) for every other statement.
 *
 * Only hot-path statements carry the marker, each written as one fixed tagged template whose
 * interpolations are all bound parameters. So each name has exactly one SQL text and a connection
 * holds at most one prepared statement per marked template in the code: a handful, never one per
 * distinct IN-list or generated query. node-postgres refuses a name reused for a different text, so a
 * mistake fails loudly instead of running the wrong statement. Marked statements look rows up by
 * primary or unique keys, so PostgreSQL's generic plan (after five executions) is as good as a
 * custom one.
 */
export function preparedStatementName(sql: string): string {
  return PREPARED_MARKER.exec(sql)?.[1] ?? '';
}

/** The generated client is engine-free: every query goes through node-postgres via the driver adapter. */
export function createPrismaClient(
  databaseUrl: string,
  options: PrismaClientOptions = {},
): HomeroomPrismaClient {
  const adapter = new PrismaPg(
    { connectionString: databaseUrl, max: options.poolSize },
    { statementNameGenerator: (query) => preparedStatementName(query.sql) },
  );
  return new PrismaClient({ adapter });
}
