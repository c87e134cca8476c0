import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Database } from '../../libs/db/database';
import { hashPassword } from '../../libs/identity/passwords';
import { addressThrottleKey } from '../../libs/identity/login-throttle';
import { type ApiStack, startApiStack } from '../support/api-stack';
import { testApiConfig } from '../support/config';
import {
  auditEvents,
  createActiveUserWithPassword,
  createAdminWithTotp,
  createDistrict,
  randomClientAddress,
  strongPassword,
  type TestDatabase,
  uniqueSuffix,
} from '../support/factories';
import { type JsonResponse, request, type RunningApi } from '../support/http';
import { rowsOf } from '../support/database';

interface Answer {
  accessToken?: string;
  error: { code: string; message: string };
}

const MIGRATION = join(__dirname, '../../prisma/migrations/20261206210600_canonical_usernames/migration.sql');

describe('sign-in input: control characters refused, identifiers canonical before limits and lookups', () => {
  let database: TestDatabase;
  let db: Database;
  let districtId: string;
  /** Three failures per account and window; addresses practically unlimited. */
  let stack: ApiStack;
  let api: RunningApi;

  beforeAll(async () => {
    stack = await startApiStack({
      LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: '3',
      LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '10000',
    });
    ({ api, database } = stack);
    db = database.db;
  });
  afterAll(() => stack?.stop());
  beforeEach(async () => {
    districtId = await createDistrict(db);
  });

  const login = (json: Record<string, unknown>, clientAddress = randomClientAddress()) =>
    request<Answer>(api.baseUrl, 'POST', '/v1/auth/login', {
      json,
      headers: { 'x-forwarded-for': clientAddress },
    });
  const expectRateLimited = (res: JsonResponse<Answer>) => {
    expect([res.status, res.body.error?.code]).toEqual([429, 'RATE_LIMITED']);
    expect(res.body.accessToken).toBeUndefined();
  };
  /** Every counter row that names this district (account and address-account keys). */
  const countersOfDistrict = () =>
    rowsOf(db).rateLimitCounter.count({ where: { key: { contains: districtId } } });

  describe('control characters', () => {
    it.each([
      ['districtId', '\u0000'],
      ['username', '\u0000'],
      ['password', '\u0000'],
      ['totp', '\u0000'],
      ['username', '\u0001'],
      ['username', '\u001f'],
      ['password', '\u001b'],
    ])(
      'when %s holds %j, then 400 VALIDATION_FAILED naming it, and no counter or audit event is written',
      async (field, control) => {
        const admin = await createAdminWithTotp(db, districtId);
        const body: Record<string, string> = {
          districtId,
          username: admin.username,
          password: admin.password,
          totp: '123456',
        };
        body[field] =
          field === 'totp'
            ? `123${control}56`
            : `${body[field]!.slice(0, 4)}${control}${body[field]!.slice(4)}`;
        const address = randomClientAddress();
        const res = await login(body, address);
        expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
        expect(res.body.error.message).toContain(field);
        expect(await countersOfDistrict()).toBe(0);
        expect(await rowsOf(db).rateLimitCounter.count({ where: { key: addressThrottleKey(address) } })).toBe(
          0,
        );
        expect(await auditEvents(db, districtId)).toEqual([]);
      },
    );

    it('when a device token holds a control character, then 400 as well', async () => {
      const teacher = await createActiveUserWithPassword(db, districtId);
      const res = await login({
        districtId,
        username: teacher.username,
        password: teacher.password,
        deviceToken: 'a\u0000b',
      });
      expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
      expect(await countersOfDistrict()).toBe(0);
    });
  });

  describe('district ids', () => {
    const spellings = (id: string) => [id.toUpperCase(), `  ${id}\t`, ` ${id.toUpperCase()}\n`];

    it('when failures come with the district id in other letter cases and with whitespace, then they all hit the one account limit', async () => {
      const teacher = await createActiveUserWithPassword(db, districtId);
      for (const spelling of spellings(districtId)) {
        const res = await login({
          districtId: spelling,
          username: teacher.username,
          password: 'not-the-password',
        });
        expect(res.status).toBe(401);
      }
      expectRateLimited(await login({ districtId, username: teacher.username, password: teacher.password }));
      const limited = (await auditEvents(db, districtId)).filter((e) => e.action === 'login.rate_limited');
      expect(limited.map((e) => [e.targetId, e.details])).toEqual([
        [
          teacher.id,
          { scope: 'account', limit: 3, windowSeconds: testApiConfig().LOGIN_RATE_WINDOW_SECONDS },
        ],
      ]);
    });

    it('when the canonical spelling used up the attempts, then another spelling gets no fresh ones', async () => {
      const teacher = await createActiveUserWithPassword(db, districtId);
      for (let i = 0; i < 3; i++)
        await login({ districtId, username: teacher.username, password: 'not-the-password' });
      for (const spelling of spellings(districtId)) {
        expectRateLimited(
          await login({ districtId: spelling, username: teacher.username, password: teacher.password }),
        );
      }
    });

    it('when a user signs in with the district id in upper case and padded, then it works and the session is in that district', async () => {
      const teacher = await createActiveUserWithPassword(db, districtId);
      const res = await login({
        districtId: ` ${districtId.toUpperCase()} `,
        username: teacher.username,
        password: teacher.password,
      });
      expect(res.status).toBe(200);
      expect(await rowsOf(db).session.count({ where: { districtId, userId: teacher.id } })).toBe(1);
    });
  });

  describe('usernames', () => {
    const composed = () => `zo\u00e9.${uniqueSuffix()}`;
    const decomposed = (name: string) => name.normalize('NFD');

    it('when a username is typed decomposed and padded, then it finds the account stored composed', async () => {
      const name = composed();
      const teacher = await createActiveUserWithPassword(db, districtId, { username: name });
      expect(decomposed(name)).not.toBe(name);
      const res = await login({
        districtId,
        username: `\u00a0${decomposed(name)} `,
        password: teacher.password,
      });
      expect(res.status).toBe(200);
    });

    it('when an account is created with a decomposed, padded username, then it is stored canonical', async () => {
      const name = composed();
      const teacher = await createActiveUserWithPassword(db, districtId, {
        username: ` ${decomposed(name)}\t`,
      });
      const stored = await rowsOf(db).user.findUniqueOrThrow({
        where: { id: teacher.id },
        select: { username: true },
      });
      expect(stored.username).toBe(name);
    });

    it('when failures come with other spellings of one username, then they hit the one account limit', async () => {
      const name = composed();
      const teacher = await createActiveUserWithPassword(db, districtId, { username: name });
      for (const spelling of [decomposed(name), ` ${name}`, `\u3000${decomposed(name)}\u2028`]) {
        expect((await login({ districtId, username: spelling, password: 'not-the-password' })).status).toBe(
          401,
        );
      }
      expectRateLimited(await login({ districtId, username: name, password: teacher.password }));
    });

    it('when failures come with the username in another letter case, then they are another account’s (case counts)', async () => {
      const teacher = await createActiveUserWithPassword(db, districtId, {
        username: `Ms.Rivera.${uniqueSuffix()}`,
      });
      for (let i = 0; i < 4; i++) {
        const res = await login({
          districtId,
          username: teacher.username.toLowerCase(),
          password: teacher.password,
        });
        expect(res.status).toBe(i < 3 ? 401 : 429);
      }
      expect(
        (await login({ districtId, username: teacher.username, password: teacher.password })).status,
      ).toBe(200);
    });

    it('when usernames were stored before canonicalisation, then the migration makes them findable, leaving clashes alone', async () => {
      const password = strongPassword();
      const passwordHash = await hashPassword(password);
      const legacyName = composed();
      const clashName = `dup.${uniqueSuffix()}`;
      // Written past the repository, the way rows written before canonicalisation look.
      const raw = (username: string) =>
        rowsOf(db).user.create({
          data: {
            districtId,
            role: 'teacher',
            username,
            givenName: 'Legacy',
            familyName: 'Row',
            passwordHash,
          },
          select: { id: true },
        });
      const legacy = await raw(`  ${decomposed(legacyName)} `);
      const holder = await raw(clashName);
      const clash = await raw(` ${clashName}`);
      expect((await login({ districtId, username: legacyName, password })).status).toBe(401);

      await rowsOf(db).$executeRawUnsafe(readFileSync(MIGRATION, 'utf8'));

      const names = await rowsOf(db).user.findMany({
        where: { id: { in: [legacy.id, holder.id, clash.id] } },
        select: { id: true, username: true },
      });
      expect(Object.fromEntries(names.map((u) => [u.id, u.username]))).toEqual({
        [legacy.id]: legacyName,
        [holder.id]: clashName,
        [clash.id]: ` ${clashName}`,
      });
      expect((await login({ districtId, username: decomposed(legacyName), password })).status).toBe(200);
      const signedIn = await login({ districtId, username: clashName, password });
      expect(signedIn.status).toBe(200);
      const session = await rowsOf(db).session.findFirstOrThrow({
        where: { districtId, userId: { in: [holder.id, clash.id] } },
      });
      expect(session.userId).toBe(holder.id);
    });
  });
});
