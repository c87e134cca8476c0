import { randomInt } from 'node:crypto';
import { type Database } from '../../libs/db/database';
import { addressThrottleKey } from '../../libs/identity/login-throttle';
import { hashPassword } from '../../libs/identity/passwords';
import { testApiConfig } from '../support/config';
import {
  auditEvents,
  createDistrict,
  openTestDatabase,
  strongPassword,
  type TestDatabase,
  uniqueSuffix,
} from '../support/factories';
import { request, type RunningApi, startApi } from '../support/http';
import { rowsOf } from '../support/database';

const STUDENTS = 400;
const MISTYPE_ONCE = 40;
const FORGOT = 10;
/** Pupils at separate computers, a few requests in flight at any moment. */
const CONCURRENCY = 8;

describe('a whole school behind one NAT address (default limits)', () => {
  let database: TestDatabase;
  let db: Database;
  let api: RunningApi;

  beforeAll(async () => {
    database = openTestDatabase();
    db = database.db;
    // The shipped limits, whatever the environment says: 50 failures per address, 5 per account. The
    // window is a day (aligned to midnight UTC) rather than 15 minutes, so a run of a minute or two
    // does not straddle a window boundary and split the counts it asserts.
    api = await startApi(
      testApiConfig({
        LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '50',
        LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: '5',
        LOGIN_RATE_WINDOW_SECONDS: String(24 * 3600),
      }),
    );
  });
  afterAll(async () => {
    await api?.close();
    await database?.close();
  });

  it('when 400 pupils sign in at 8 am from one address, a tenth mistyping once and ten giving up, then nobody is refused, and only the unredeemed failures count against the address', async () => {
    expect(testApiConfig({}).LOGIN_MAX_ATTEMPTS_PER_ADDRESS).toBe(50);
    const districtId = await createDistrict(db);
    const password = strongPassword();
    const passwordHash = await hashPassword(password);
    const prefix = `pupil-${uniqueSuffix()}`;
    await rowsOf(db).user.createMany({
      data: Array.from({ length: STUDENTS }, (_, i) => ({
        districtId,
        role: 'student' as const,
        username: `${prefix}-${i}`,
        givenName: 'Pupil',
        familyName: String(i),
        passwordHash,
      })),
    });
    const school = `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
    const login = (username: string, attempt: string) =>
      request<{ accessToken?: string }>(api.baseUrl, 'POST', '/v1/auth/login', {
        json: { districtId, username, password: attempt },
        headers: { 'x-forwarded-for': school },
      });

    // Pupil i: the first MISTYPE_ONCE mistype and then get it right, the next FORGOT try three wrong
    // passwords and give up, everyone else gets it right first time. Spread through the morning.
    const plans = Array.from({ length: STUDENTS }, (_, i) =>
      i < MISTYPE_ONCE ? ['typo', password] : i < MISTYPE_ONCE + FORGOT ? ['a', 'b', 'c'] : [password],
    );
    const order = plans.map((_, i) => (i * 7919) % STUDENTS);
    const statuses = new Map<number, number>();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < order.length) {
          const pupil = order[next++]!;
          for (const attempt of plans[pupil]!) {
            const res = await login(`${prefix}-${pupil}`, attempt);
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          }
        }
      }),
    );

    expect(Object.fromEntries(statuses)).toEqual({
      200: STUDENTS - FORGOT,
      401: MISTYPE_ONCE + FORGOT * 3,
    });
    // 70 failures in all, over the limit of 50; the 40 redeemed by a sign-in no longer count.
    const counter = await rowsOf(db).rateLimitCounter.findFirstOrThrow({
      where: { key: addressThrottleKey(school) },
      orderBy: { windowStart: 'desc' },
    });
    expect(Number(counter.count)).toBe(FORGOT * 3);
    const actions = (await auditEvents(db, districtId)).map((e) => e.action);
    expect(actions.filter((a) => a === 'login.rate_limited')).toEqual([]);
    expect(actions.filter((a) => a === 'login.succeeded')).toHaveLength(STUDENTS - FORGOT);

    // Guessing across other accounts from the same address is counted in full: 20 more failures
    // reach the limit of 50, and the next attempt is refused.
    for (let i = 0; i < 20; i++)
      expect((await login(`${prefix}-${MISTYPE_ONCE + FORGOT + i}`, 'Spring2026!')).status).toBe(401);
    expect((await login(`${prefix}-${STUDENTS - 1}`, password)).status).toBe(429);
  }, 600_000);
});
