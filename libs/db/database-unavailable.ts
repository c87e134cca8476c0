/**
 * Whether an error from node-postgres, or from Prisma over its pg driver adapter, means that
 * PostgreSQL could not be reached or dropped the session (a restart, a failover, too many connections,
 * no pool connection within the connect timeout), as opposed to a statement the database refused.
 * The request did not fail because of what it asked, so the API answers 503 and the client retries.
 *
 * The shapes were taken from a real cluster restarted under load (listed in
 * test/unit/errors/dependency-unavailable.test.ts): node-postgres errors carry a SQLSTATE or a socket
 * error code; Prisma wraps them as a known request error whose `meta.driverAdapterError.cause` carries
 * the adapter's `kind` (and the SQLSTATE for kind `postgres`), or passes node-postgres's code-less
 * connection errors through.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  return linkedErrors(error).some(isConnectionFailure);
}

/** Connection exceptions (class 08), shutdown and start-up (57P01-57P03), too many connections. */
function isUnavailableSqlState(code: string): boolean {
  return (
    code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300'
  );
}

const SOCKET_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

// @prisma/adapter-pg's classification of connection failures (convertDriverError).
const ADAPTER_UNAVAILABLE_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
]);

// Prisma's connection errors: server unreachable, connect timeout, operations timed out, server closed
// the connection, and no connection from the pool in time.
const PRISMA_UNAVAILABLE_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);

// node-postgres and pg-pool report these without any code; the texts are the driver's own, compared
// whole.
const DRIVER_CONNECTION_MESSAGES = new Set([
  'Connection terminated unexpectedly',
  'Connection terminated',
  'Connection terminated due to connection timeout',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
]);

interface ErrorFields {
  name?: unknown;
  code?: unknown;
  kind?: unknown;
  severity?: unknown;
  message?: unknown;
}

function isConnectionFailure(candidate: ErrorFields): boolean {
  const { name, code, kind, severity, message } = candidate;
  if (typeof kind === 'string' && ADAPTER_UNAVAILABLE_KINDS.has(kind)) return true;
  if (typeof code === 'string') {
    if (SOCKET_ERROR_CODES.has(code)) return true;
    // A SQLSTATE comes with a severity, from node-postgres's DatabaseError or the adapter's `postgres`.
    if ((typeof severity === 'string' || kind === 'postgres') && isUnavailableSqlState(code)) return true;
    if (typeof name === 'string' && name.startsWith('PrismaClient') && PRISMA_UNAVAILABLE_CODES.has(code)) {
      return true;
    }
  }
  return code === undefined && typeof message === 'string' && DRIVER_CONNECTION_MESSAGES.has(message);
}

/** The error, its causes and the driver error Prisma keeps in its metadata, a few levels deep. */
function linkedErrors(error: unknown): ErrorFields[] {
  const found: ErrorFields[] = [];
  const queue: unknown[] = [error];
  while (queue.length > 0 && found.length < 8) {
    const next = queue.shift();
    if (typeof next !== 'object' || next === null) continue;
    found.push(next as ErrorFields);
    const { cause, meta } = next as { cause?: unknown; meta?: unknown };
    queue.push(cause);
    if (typeof meta === 'object' && meta !== null) {
      queue.push((meta as { driverAdapterError?: unknown }).driverAdapterError);
    }
  }
  return found;
}
