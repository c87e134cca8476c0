import { randomBytes } from 'node:crypto';
import { type Database } from '../../libs/db/database';
import * as passwords from '../../libs/identity/passwords';
import { testApiConfig } from '../support/config';
import {
  auditEvents,
  createActiveUserWithPassword,
  createDistrict,
  openTestDatabase,
  randomClientAddress,
  type TestDatabase,
  type TestUserWithPassword,
  unknownId,
} from '../support/factories';
import { type JsonResponse, request, type RunningApi, startApi } from '../support/http';
import { rowsOf } from '../support/database';

interface Answer {
  accessToken?: string;
  error: { code: string; message: string };
}

const WINDOW_SECONDS = 900;

describe('sign-in rate limits (429 RATE_LIMITED with Retry-After)', () => {
  let database: TestDatabase;
  let db: Database;
  let districtId: string;
  /** Three failures per account and window; addresses practically unlimited. */
  let perAccount: RunningApi;
  /** Three failures per address and window; accounts practically unlimited. */
  let perAddress: RunningApi;

  beforeAll(async () => {
    database = openTestDatabase();
    db = database.db;
    [perAccount, perAddress] = await Promise.all([
      startApi(
        testApiConfig({
          LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: '3',
          LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '10000',
          LOGIN_RATE_WINDOW_SECONDS: String(WINDOW_SECONDS),
        }),
      ),
      startApi(
        testApiConfig({
          LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: '1000',
          LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '3',
          LOGIN_RATE_WINDOW_SECONDS: String(WINDOW_SECONDS),
        }),
      ),
    ]);
  });
  afterAll(async () => {
    await Promise.all([perAccount?.close(), perAddress?.close()]);
    await database?.close();
  });
  beforeEach(async () => {
    districtId = await createDistrict(db);
  });

  const login = (
    api: RunningApi,
    body: { districtId?: string; username: string; password: string },
    clientAddress = randomClientAddress(),
  ) =>
    request<Answer>(api.baseUrl, 'POST', '/v1/auth/login', {
      json: { districtId: body.districtId ?? districtId, username: body.username, password: body.password },
      headers: { 'x-forwarded-for': clientAddress },
    });
  const wrong = (user: { username: string }) => ({ username: user.username, password: 'not-the-password' });
  const expectRateLimited = (res: JsonResponse<Answer>) => {
    expect([res.status, res.body.error?.code]).toEqual([429, 'RATE_LIMITED']);
    const retryAfter = res.headers.get('retry-after');
    expect(retryAfter).toMatch(/^\d+$/);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(retryAfter)).toBeLessThanOrEqual(WINDOW_SECONDS);
  };

  describe('per account', () => {
    let teacher: TestUserWithPassword;
    beforeEach(async () => {
      teacher = await createActiveUserWithPassword(db, districtId);
    });

    it('when an account has had the configured failures, then even the right password gets 429 with Retry-After', async () => {
      for (let i = 0; i < 3; i++) expect((await login(perAccount, wrong(teacher))).status).toBe(401);
      const refused = await login(perAccount, teacher);
      expectRateLimited(refused);
      expect(refused.body.accessToken).toBeUndefined();
    });

    it('when an account is limited, then the check comes before any password verification', async () => {
      for (let i = 0; i < 3; i++) await login(perAccount, wrong(teacher));
      const verify = jest.spyOn(passwords, 'verifyPassword');
      try {
        expectRateLimited(await login(perAccount, teacher));
        expect(verify).not.toHaveBeenCalled();
      } finally {
        verify.mockRestore();
      }
    });

    it('when one account is limited, then other accounts and other districts are not', async () => {
      for (let i = 0; i < 4; i++) await login(perAccount, wrong(teacher));
      const colleague = await createActiveUserWithPassword(db, districtId);
      expect((await login(perAccount, colleague)).status).toBe(200);
      const elsewhere = await createDistrict(db);
      const namesake = await createActiveUserWithPassword(db, elsewhere, { username: teacher.username });
      expect((await login(perAccount, { ...namesake, districtId: elsewhere })).status).toBe(200);
    });

    it('when the username or the district does not exist, then it is limited all the same (no existence oracle)', async () => {
      const ghost = { username: `ghost-${randomBytes(4).toString('hex')}`, password: 'whatever-it-is' };
      for (const place of [districtId, unknownId()]) {
        for (let i = 0; i < 3; i++)
          expect((await login(perAccount, { ...ghost, districtId: place })).status).toBe(401);
        expectRateLimited(await login(perAccount, { ...ghost, districtId: place }));
      }
    });

    it('when guesses arrive all at once, then no more than the limit get through to the password check', async () => {
      const burst = await Promise.all(Array.from({ length: 10 }, () => login(perAccount, wrong(teacher))));
      const statuses = burst.map((res) => res.status).sort();
      expect(statuses).toEqual([401, 401, 401, 429, 429, 429, 429, 429, 429, 429]);
    });

    it('when a sign-in succeeds, then the account’s failures are forgotten', async () => {
      for (let i = 0; i < 2; i++) await login(perAccount, wrong(teacher));
      expect((await login(perAccount, teacher)).status).toBe(200);
      for (let i = 0; i < 2; i++) expect((await login(perAccount, wrong(teacher))).status).toBe(401);
      expect((await login(perAccount, teacher)).status).toBe(200);
    });

    it('when an account is limited repeatedly, then the audit log records it once per window, without names', async () => {
      for (let i = 0; i < 6; i++) await login(perAccount, wrong(teacher));
      const events = await auditEvents(db, districtId);
      expect(events.map((e) => e.action)).toEqual([
        'login.failed',
        'login.failed',
        'login.failed',
        'login.rate_limited',
      ]);
      const limited = events[3]!;
      expect([limited.actorId, limited.targetType, limited.targetId]).toEqual([null, 'user', teacher.id]);
      expect(limited.details).toEqual({ scope: 'account', limit: 3, windowSeconds: WINDOW_SECONDS });
      expect(JSON.stringify(events.map((e) => e.details))).not.toContain(teacher.username);
    });
  });

  describe('per client address', () => {
    it('when an address has had the configured failures, then it gets 429 whichever account it tries', async () => {
      const address = randomClientAddress();
      const teacher = await createActiveUserWithPassword(db, districtId);
      for (let i = 0; i < 3; i++) {
        const res = await login(perAddress, { username: `ghost-${i}`, password: 'whatever-it-is' }, address);
        expect(res.status).toBe(401);
      }
      expectRateLimited(await login(perAddress, teacher, address));
      expect((await login(perAddress, teacher, randomClientAddress())).status).toBe(200);
    });

    it('when IPv6 clients share a /64, then they share one counter', async () => {
      const prefix = randomClientAddress().replace(/::1$/, '');
      const teacher = await createActiveUserWithPassword(db, districtId);
      for (const host of ['1', '2', 'beef']) {
        expect((await login(perAddress, wrong(teacher), `${prefix}::${host}`)).status).toBe(401);
      }
      expectRateLimited(await login(perAddress, teacher, `${prefix}:0:0:0:77`));
    });

    it('when sign-ins from one address succeed, then they do not count against it', async () => {
      const address = randomClientAddress();
      const teacher = await createActiveUserWithPassword(db, districtId);
      for (let i = 0; i < 6; i++) expect((await login(perAddress, teacher, address)).status).toBe(200);
      for (let i = 0; i < 3; i++) expect((await login(perAddress, wrong(teacher), address)).status).toBe(401);
      expectRateLimited(await login(perAddress, teacher, address));
    });

    it('when an address is limited, then the refusal is audited once with the address scope', async () => {
      const address = randomClientAddress();
      const teacher = await createActiveUserWithPassword(db, districtId);
      for (let i = 0; i < 5; i++) await login(perAddress, wrong(teacher), address);
      const limited = (await auditEvents(db, districtId)).filter((e) => e.action === 'login.rate_limited');
      expect(limited.map((e) => [e.targetId, e.details])).toEqual([
        [null, { scope: 'address', limit: 3, windowSeconds: WINDOW_SECONDS }],
      ]);
    });
  });

  describe('windows', () => {
    it('when the window ends, then Retry-After was right and sign-in works again', async () => {
      const windowSeconds = 4;
      const api = await startApi(
        testApiConfig({
          LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: '1',
          LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '10000',
          LOGIN_RATE_WINDOW_SECONDS: String(windowSeconds),
        }),
      );
      try {
        const teacher = await createActiveUserWithPassword(db, districtId);
        // Start right after a window boundary, so both attempts land in the same window.
        await sleep(windowSeconds * 1000 - (Date.now() % (windowSeconds * 1000)) + 20);
        expect((await login(api, wrong(teacher))).status).toBe(401);
        const refused = await login(api, teacher);
        expect(refused.status).toBe(429);
        const retryAfter = Number(refused.headers.get('retry-after'));
        expect(retryAfter).toBeGreaterThanOrEqual(1);
        expect(retryAfter).toBeLessThanOrEqual(windowSeconds);

        await sleep(retryAfter * 1000);
        expect((await login(api, teacher)).status).toBe(200);
      } finally {
        await api.close();
      }
    });

    it('when counters older than the longest window exist, then a new window prunes them, and only them', async () => {
      const [stale, live] = [
        `test:stale:${randomBytes(6).toString('hex')}`,
        `test:live:${randomBytes(6).toString('hex')}`,
      ];
      await db.rateLimits.hit([stale], new Date(Date.now() - 25 * 3600 * 1000));
      const liveStart = new Date(Date.now() - 23 * 3600 * 1000);
      await db.rateLimits.hit([live], liveStart);
      const api = await startApi(testApiConfig({ LOGIN_RATE_WINDOW_SECONDS: String(WINDOW_SECONDS) }));
      try {
        await login(api, { username: 'ghost', password: 'whatever-it-is' });
        expect(await rowsOf(db).rateLimitCounter.count({ where: { key: stale } })).toBe(0);
        expect(await rowsOf(db).rateLimitCounter.count({ where: { key: live } })).toBe(1);
        await db.rateLimits.reset(live, liveStart);
      } finally {
        await api.close();
      }
    });
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
