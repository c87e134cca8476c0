import { PrismaPg } from '@prisma/adapter-pg';
import { Pool, type QueryResultRow } from 'pg';
import { type DbClient } from './db-client';
import { PrismaClient } from './generated/client';

export type HomeroomPrismaClient = PrismaClient;

export interface PrismaClientOptions {
  /** Upper bound of open connections in the node-postgres pool behind the client. */
  poolSize?: number;
  /** How long a query waits for a connection before failing (pg's `connectionTimeoutMillis`). */
  connectTimeoutMs?: number;
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

/** A hot-path statement: SQL with positional parameters, run as the named prepared statement. */
export interface PreparedStatement {
  name: string;
  text: string;
}

export function preparedStatement(name: string, sql: string): PreparedStatement {
  const text = `/* prepared:${name} */ ${sql}`;
  if (preparedStatementName(text) !== name) throw new RangeError(`invalid prepared statement name ${name}`);
  return { name, text };
}

// The node-postgres pool behind each root client, for runPrepared; transactions are not in it.
const poolsByClient = new WeakMap<object, Pool>();

/** How long work waited for a pool connection, since the pool was made. */
export interface PoolWaits {
  acquisitions: number;
  /** Acquisitions that found no idle connection: they queued for one, or waited for a new one to open. */
  waited: number;
  waitedMsTotal: number;
  waitedMsMax: number;
}

/** A pool's size and waits now, for the worker's telemetry. */
export interface PoolStats extends PoolWaits {
  max: number;
  open: number;
  idle: number;
  /** Requests queued for a connection at this moment. */
  queued: number;
}

const poolWaitsByPool = new WeakMap<Pool, PoolWaits>();

type ConnectCallback = (error: Error | undefined, client: unknown, release: unknown) => void;

/**
 * Times every connection acquisition of `pool`. node-postgres's own `query` and Prisma's adapter both
 * acquire through `pool.connect` (with a callback, or for a promise), so wrapping it sees every wait,
 * and a starved pool shows up as waits instead of as unexplained slow activities.
 */
function timeAcquisitions(pool: Pool): PoolWaits {
  const waits: PoolWaits = { acquisitions: 0, waited: 0, waitedMsTotal: 0, waitedMsMax: 0 };
  const record = (started: number, idle: boolean) => {
    const ms = performance.now() - started;
    waits.acquisitions++;
    if (!idle) waits.waited++;
    waits.waitedMsTotal += ms;
    waits.waitedMsMax = Math.max(waits.waitedMsMax, ms);
  };
  const connect = pool.connect.bind(pool) as (callback?: ConnectCallback) => Promise<unknown> | undefined;
  Object.assign(pool, {
    connect(callback?: ConnectCallback) {
      const started = performance.now();
      // pg hands an idle client to the oldest waiter on the next tick, so idle clients already promised
      // to waiting requests are not free: only idle clients beyond the queue serve this one at once.
      const idle = pool.idleCount > pool.waitingCount;
      if (callback) {
        return connect((error, client, release) => {
          record(started, idle);
          callback(error, client, release);
        });
      }
      return connect()!.then((client) => {
        record(started, idle);
        return client;
      });
    },
  });
  return waits;
}

/** The size and waits of the pool behind a root client; null inside a transaction. */
export function poolStatsOf(client: DbClient): PoolStats | null {
  const pool = poolsByClient.get(client);
  const waits = pool && poolWaitsByPool.get(pool);
  if (!pool || !waits) return null;
  return {
    max: pool.options.max,
    open: pool.totalCount,
    idle: pool.idleCount,
    queued: pool.waitingCount,
    ...waits,
  };
}

/**
 * Runs a hot-path statement. On a root client it goes straight to the node-postgres pool the client
 * itself uses, skipping Prisma's raw-query pipeline (about 0.1 ms of CPU per statement, a tenth of a
 * message send); inside `Database.transaction` it goes through the transaction, as the same
 * prepared statement. Rows come back as node-postgres parses them (uuid and text as strings,
 * timestamptz as Date, json parsed).
 */
export async function runPrepared<Row extends QueryResultRow>(
  client: DbClient,
  statement: PreparedStatement,
  values: readonly unknown[],
): Promise<Row[]> {
  const pool = poolsByClient.get(client);
  if (!pool) return client.$queryRawUnsafe<Row[]>(statement.text, ...values);
  const result = await pool.query<Row>({ name: statement.name, text: statement.text, values: [...values] });
  return result.rows;
}

/** The generated client is engine-free: every query goes through node-postgres via the driver adapter. */
export function createPrismaClient(
  databaseUrl: string,
  options: PrismaClientOptions = {},
): HomeroomPrismaClient {
  // Without a connect timeout a query waits for a connection forever when the pool is exhausted or
  // the server does not answer; with one it fails, and the API answers 503.
  const pool = new Pool({
    connectionString: databaseUrl,
    max: options.poolSize,
    connectionTimeoutMillis: options.connectTimeoutMs,
  });
  // An idle connection dropped by the server is discarded by the pool; without a listener the pool's
  // error event would end the process before Prisma attaches its own on first use.
  pool.on('error', () => undefined);
  poolWaitsByPool.set(pool, timeAcquisitions(pool));
  const adapter = new PrismaPg(pool, {
    statementNameGenerator: (query) => preparedStatementName(query.sql),
    disposeExternalPool: true,
  });
  const client = new PrismaClient({ adapter });
  poolsByClient.set(client, pool);
  return client;
}
