import { Connection } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { DatabaseError, Pool } from 'pg';
import { unavailableDependency } from '../../../apps/api/src/common/dependency-failure';
import { isDatabaseUnavailable } from '../../../libs/db/database-unavailable';
import { NotFoundError, ValidationFailedError } from '../../../libs/domain/errors/domain-errors';
import { isTemporalUnavailable } from '../../../libs/adapters/temporal/temporal-unavailable';
import { Database } from '../../../libs/db/database';
import { Prisma, rowsOf } from '../../support/database';
import { freePort } from '../../support/processes';

/**
 * Which errors mean "a dependency is down, retry later" (503) and which do not. The shapes are the
 * ones a PostgreSQL restart under load produced through node-postgres and Prisma's pg adapter
 * (test/integration/dependency-restart.test.ts restarts a real cluster); unreachable servers are
 * real: a closed loopback port.
 */

function pgError(code: string, message: string, severity = 'FATAL'): DatabaseError {
  const error = new DatabaseError(message, message.length, 'error');
  error.code = code;
  error.severity = severity;
  return error;
}

function prismaError(code: string, cause: Record<string, unknown>, message = 'Database error.') {
  return new Prisma.PrismaClientKnownRequestError(message, {
    code,
    clientVersion: Prisma.prismaVersion.client,
    meta: { modelName: 'Message', driverAdapterError: { name: 'DriverAdapterError', cause } },
  });
}

function socketError(code: string, syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${syscall} ${code} 127.0.0.1:5432`), { code, syscall, errno: -1 });
}

function grpcError(code: number, details: string) {
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
}

const postgresCause = (code: string, message: string) => ({
  originalCode: code,
  originalMessage: message,
  kind: 'postgres',
  code,
  severity: 'FATAL',
  message,
});

describe('isDatabaseUnavailable', () => {
  it.each<[string, unknown]>([
    [
      'node-postgres: admin shutdown (57P01)',
      pgError('57P01', 'terminating connection due to administrator command'),
    ],
    [
      'node-postgres: crash shutdown (57P02)',
      pgError('57P02', 'terminating connection due to crash of another server process'),
    ],
    ['node-postgres: starting up (57P03)', pgError('57P03', 'the database system is starting up')],
    ['node-postgres: shutting down (57P03)', pgError('57P03', 'the database system is shutting down')],
    ['node-postgres: connection failure (08006)', pgError('08006', 'connection failure')],
    ['node-postgres: too many connections (53300)', pgError('53300', 'sorry, too many clients already')],
    ['socket: connection refused', socketError('ECONNREFUSED', 'connect')],
    ['socket: connection reset', socketError('ECONNRESET', 'read')],
    ['socket: broken pipe', socketError('EPIPE', 'write')],
    ['node-postgres: terminated', new Error('Connection terminated unexpectedly')],
    [
      'node-postgres: unusable client',
      new Error('Client has encountered a connection error and is not queryable'),
    ],
    ['pg-pool: connect timeout', new Error('timeout exceeded when trying to connect')],
    [
      'pg-pool: connection timeout with cause',
      new Error('Connection terminated due to connection timeout', {
        cause: new Error('Connection terminated'),
      }),
    ],
    [
      'Prisma P2039 over 57P01',
      prismaError('P2039', postgresCause('57P01', 'terminating connection due to administrator command')),
    ],
    [
      'Prisma P2010 raw query over 57P03',
      prismaError('P2010', postgresCause('57P03', 'the database system is starting up')),
    ],
    [
      'Prisma P1001 not reachable',
      prismaError('P1001', { kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 5432 }),
    ],
    ['Prisma P1017 connection closed', prismaError('P1017', { kind: 'ConnectionClosed' })],
    ['Prisma P2010 socket timeout', prismaError('P2010', { kind: 'SocketTimeout' })],
    [
      'Prisma too many connections',
      prismaError('P2037', { kind: 'TooManyConnections', cause: 'too many clients' }),
    ],
    [
      'Prisma pool timeout (P2024)',
      new Prisma.PrismaClientKnownRequestError('Timed out fetching a new connection', {
        code: 'P2024',
        clientVersion: Prisma.prismaVersion.client,
      }),
    ],
  ])('when %s, then it is unavailable (503)', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(unavailableDependency(error)).toBe('postgres');
  });

  it.each<[string, unknown]>([
    [
      'node-postgres: unique violation',
      pgError('23505', 'duplicate key value violates unique constraint', 'ERROR'),
    ],
    ['node-postgres: undefined table', pgError('42P01', 'relation "x" does not exist', 'ERROR')],
    [
      'node-postgres: statement timeout',
      pgError('57014', 'canceling statement due to statement timeout', 'ERROR'),
    ],
    ['node-postgres: serialization failure', pgError('40001', 'could not serialize access', 'ERROR')],
    [
      'Prisma unique violation',
      prismaError('P2002', { kind: 'UniqueConstraintViolation', constraint: { fields: ['id'] } }),
    ],
    [
      'Prisma record not found',
      new Prisma.PrismaClientKnownRequestError('No record', {
        code: 'P2025',
        clientVersion: Prisma.prismaVersion.client,
      }),
    ],
    [
      'Prisma raw query with a refused statement',
      prismaError('P2010', postgresCause('22P02', 'invalid input syntax for type uuid')),
    ],
    [
      'Prisma unsupported column type',
      prismaError('P2010', { kind: 'UnsupportedNativeDataType', type: 'void' }),
    ],
    ['a code-less error with another text', new Error('conversation does not exist in the district')],
    [
      'an error whose text merely mentions a connection',
      Object.assign(new Error('Connection terminated unexpectedly'), { code: 'E_OTHER' }),
    ],
    ['a P-code on something that is not Prisma', Object.assign(new Error('x'), { code: 'P1001' })],
    ['a domain error', new ValidationFailedError('bad')],
    ['not an error', 'ECONNREFUSED'],
    ['nothing', undefined],
  ])('when %s, then it is not a dependency failure', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
    expect(unavailableDependency(error)).toBeUndefined();
  });

  it('when PostgreSQL does not listen, then what node-postgres and Prisma really throw is unavailable', async () => {
    const url = `postgresql://homeroom@127.0.0.1:${await freePort()}/homeroom`;
    const pool = new Pool({ connectionString: url });
    const db = Database.open(url, { poolSize: 1, connectTimeoutMs: 2_000 });
    const prisma = rowsOf(db);
    try {
      const errors = await Promise.all([
        pool.query('SELECT 1').catch((error: unknown) => error),
        prisma.district.findFirst().catch((error: unknown) => error),
        prisma.$queryRawUnsafe('SELECT 1').catch((error: unknown) => error),
        prisma.$transaction(async (tx) => tx.district.count()).catch((error: unknown) => error),
      ]);
      for (const error of errors) {
        expect(error).toHaveProperty('message');
        expect(isDatabaseUnavailable(error)).toBe(true);
      }
    } finally {
      await pool.end();
      await db.disconnect();
    }
  });
});

describe('isTemporalUnavailable', () => {
  it.each<[string, unknown]>([
    ['gRPC UNAVAILABLE', grpcError(14, 'No connection established')],
    ['gRPC DEADLINE_EXCEEDED', grpcError(4, 'Deadline exceeded')],
    ['gRPC RESOURCE_EXHAUSTED', grpcError(8, 'namespace rate limit exceeded')],
    [
      'a ServiceError wrapping UNAVAILABLE',
      new Error('Failed to start Workflow', { cause: grpcError(14, 'Connection dropped') }),
    ],
  ])('when %s, then it is unavailable (503)', (_, error) => {
    expect(isTemporalUnavailable(error)).toBe(true);
    expect(unavailableDependency(error)).toBe('temporal');
  });

  it.each<[string, unknown]>([
    ['gRPC NOT_FOUND', grpcError(5, 'namespace not found')],
    ['gRPC INVALID_ARGUMENT', grpcError(3, 'bad search attribute')],
    [
      'a workflow that already runs',
      new WorkflowExecutionAlreadyStartedError('started', 'wf-1', 'workflowType'),
    ],
    ['a domain error', new NotFoundError()],
    ['a code 14 that is not gRPC', Object.assign(new Error('x'), { code: 14 })],
  ])('when %s, then it is not a dependency failure', (_, error) => {
    expect(isTemporalUnavailable(error)).toBe(false);
    expect(unavailableDependency(error)).toBeUndefined();
  });

  it('when the Temporal server does not listen, then what the client really throws is unavailable', async () => {
    const connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}` });
    try {
      const error = await connection
        .withDeadline(Date.now() + 1_500, () => connection.workflowService.getSystemInfo({}))
        .catch((caught: unknown) => caught);
      expect(error).toHaveProperty('message');
      expect(isTemporalUnavailable(error)).toBe(true);
    } finally {
      await connection.close();
    }
  });
});
