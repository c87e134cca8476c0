import { Database } from '../../libs/db/database';
import { isDatabaseUnavailable } from '../../libs/db/database-unavailable';
import { preparedStatement, rowsOf, runPrepared, testDatabaseUrl } from '../support/database';

/**
 * An exhausted pool is a dependency failure too: a query that gets no connection within
 * DATABASE_CONNECT_TIMEOUT_MS fails (instead of waiting without end) and is classified as unavailable,
 * so the API answers 503. Real PostgreSQL, a pool of one connection held by a slow statement.
 */
describe('database pool timeout', () => {
  it('when the only pool connection stays busy past the connect timeout, then queries fail as unavailable before it is free', async () => {
    const db = Database.open(testDatabaseUrl(), { poolSize: 1, connectTimeoutMs: 300 });
    const prisma = rowsOf(db);
    try {
      // Opening the pool's one connection (TCP and SCRAM) is bound by the same 300 ms; on a loaded
      // machine that can take longer, and it is not what this test is about: retry until it is open.
      for (let attempt = 1; ; attempt++) {
        try {
          await prisma.$queryRawUnsafe('SELECT 1 AS warm');
          break;
        } catch (error) {
          if (attempt === 10 || !isDatabaseUnavailable(error)) throw error;
        }
      }
      let released = false;
      const holding = prisma.$queryRawUnsafe('SELECT pg_sleep(3)::text AS slept').then(() => {
        released = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      const outcome = (work: Promise<unknown>) =>
        work.then(
          () => ({ failure: undefined, released }),
          (failure: unknown) => ({ failure, released }),
        );

      const outcomes = await Promise.all([
        outcome(prisma.district.findFirst()),
        outcome(runPrepared(prisma, preparedStatement('pool_timeout_probe', 'SELECT 1 AS one'), [])),
      ]);
      await holding;

      for (const { failure, released: afterRelease } of outcomes) {
        expect(afterRelease).toBe(false);
        expect(failure).toBeDefined();
        expect(isDatabaseUnavailable(failure)).toBe(true);
      }
    } finally {
      await db.disconnect();
    }
  });
});
