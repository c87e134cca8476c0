import { parseOptions } from '@node-rs/argon2';
import { type Database } from '../../libs/db/database';
import { type ApiStack, LENIENT_LOGIN_LIMITS, startApiStack } from '../support/api-stack';
import { testApiConfig } from '../support/config';
import {
  auditEvents,
  createActiveUserWithPassword,
  createDistrict,
  createUser,
  randomClientAddress,
  signIn,
  type TestDatabase,
  unknownId,
} from '../support/factories';
import { request, type RunningApi } from '../support/http';
import { rowsOf } from '../support/database';
import * as passwords from '../../libs/identity/passwords';

interface ErrorBody {
  error: { code: string; message: string; correlationId?: string };
}

describe('sign-in with a password (POST /v1/auth/login, /v1/auth/logout)', () => {
  let stack: ApiStack;
  let api: RunningApi;
  let database: TestDatabase;
  let db: Database;
  let districtId: string;

  beforeAll(async () => {
    // This suite fails many sign-ins on purpose; the rate limits have their own suite.
    stack = await startApiStack(LENIENT_LOGIN_LIMITS);
    ({ api, database } = stack);
    db = database.db;
  });
  afterAll(() => stack?.stop());
  beforeEach(async () => {
    districtId = await createDistrict(db);
  });

  const login = (body: Record<string, unknown>, clientAddress = randomClientAddress()) =>
    request<ErrorBody & { accessToken: string; expiresIn: number }>(api.baseUrl, 'POST', '/v1/auth/login', {
      json: body,
      headers: { 'x-forwarded-for': clientAddress },
    });
  const me = (token: string) => request<{ id: string }>(api.baseUrl, 'GET', '/v1/me', { token });
  /** Status and body without the per-request correlation id. */
  const answer = (res: { status: number; body: ErrorBody }) => ({
    status: res.status,
    code: res.body.error.code,
    message: res.body.error.message,
    keys: Object.keys(res.body.error).sort(),
  });

  it('when a user signs in with the right password, then they get a bearer token that works', async () => {
    const teacher = await createActiveUserWithPassword(db, districtId);
    const res = await login({ districtId, username: teacher.username, password: teacher.password });
    expect(res.status).toBe(200);
    expect(res.body.expiresIn).toBe(testApiConfig().ACCESS_TOKEN_TTL_SECONDS);
    expect(res.body.accessToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await me(res.body.accessToken)).body.id).toBe(teacher.id);
  });

  it('when a session is created, then only the hash of its token is stored, expiring after the TTL', async () => {
    const teacher = await createActiveUserWithPassword(db, districtId);
    const before = Date.now();
    const token = await signIn(api.baseUrl, teacher);
    const sessions = await rowsOf(db).session.findMany({ where: { districtId, userId: teacher.id } });
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.tokenHash).not.toContain(token);
    expect(sessions[0]!.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    const ttlMs = testApiConfig().ACCESS_TOKEN_TTL_SECONDS * 1000;
    expect(sessions[0]!.expiresAt.getTime()).toBeGreaterThanOrEqual(before + ttlMs - 1000);
    expect(sessions[0]!.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + ttlMs);
  });

  it('when the username is unknown or the password wrong, then status and body are the same', async () => {
    const teacher = await createActiveUserWithPassword(db, districtId);
    const unknown = await login({ districtId, username: 'nobody-here', password: teacher.password });
    const wrong = await login({ districtId, username: teacher.username, password: `${teacher.password}x` });
    expect(answer(unknown)).toEqual(answer(wrong));
    expect(answer(wrong)).toEqual({
      status: 401,
      code: 'INVALID_CREDENTIALS',
      message: 'The username or password is not correct.',
      keys: ['code', 'correlationId', 'message'],
    });
  });

  it('when the district does not exist or the user has no password yet, then the answer is the same 401', async () => {
    const wrong = await login({ districtId, username: 'nobody', password: 'whatever-it-is' });
    const noDistrict = await login({
      districtId: unknownId(),
      username: 'nobody',
      password: 'whatever-it-is',
    });
    const invited = await createUser(db, districtId);
    const noPassword = await login({ districtId, username: invited.username, password: 'whatever-it-is' });
    expect(answer(noDistrict)).toEqual(answer(wrong));
    expect(answer(noPassword)).toEqual(answer(wrong));
  });

  it('when the username is unknown, then a real-cost argon2 hash is still verified, as for a wrong password', async () => {
    const teacher = await createActiveUserWithPassword(db, districtId);
    const verify = jest.spyOn(passwords, 'verifyPassword');
    try {
      await login({ districtId, username: teacher.username, password: 'wrong-password-1' });
      await login({ districtId, username: 'ghost-user', password: 'wrong-password-1' });
      await login({ districtId: unknownId(), username: 'ghost-user', password: 'wrong-password-1' });
      expect(verify).toHaveBeenCalledTimes(3);
      const [real, ...dummies] = verify.mock.calls.map(([hash]) => parseOptions(hash));
      // Same algorithm and cost, so the answer for a missing user takes as long as for a wrong password.
      for (const dummy of dummies) expect(dummy).toEqual(real);
    } finally {
      verify.mockRestore();
    }
  });

  it('when a deactivated user signs in, then it is refused like a wrong password and their token stops working', async () => {
    const teacher = await createActiveUserWithPassword(db, districtId);
    const token = await signIn(api.baseUrl, teacher);
    expect((await me(token)).status).toBe(200);

    await db.forDistrict(districtId).users.deactivate(teacher.id, new Date());

    expect((await me(token)).status).toBe(401);
    const refused = await login({ districtId, username: teacher.username, password: teacher.password });
    const wrong = await login({ districtId, username: teacher.username, password: 'not-the-password' });
    expect(answer(refused)).toEqual(answer(wrong));
  });

  it('when a user signs out, then the token stops working at once and the session is marked revoked', async () => {
    const teacher = await createActiveUserWithPassword(db, districtId);
    const token = await signIn(api.baseUrl, teacher);
    const other = await signIn(api.baseUrl, teacher);

    const out = await request(api.baseUrl, 'POST', '/v1/auth/logout', { token });
    expect(out.status).toBe(204);
    expect(out.body).toBeUndefined();

    expect((await me(token)).status).toBe(401);
    expect((await request(api.baseUrl, 'POST', '/v1/auth/logout', { token })).status).toBe(401);
    expect((await me(other)).status).toBe(200);
    const revoked = await rowsOf(db).session.count({
      where: { userId: teacher.id, revokedAt: { not: null } },
    });
    expect(revoked).toBe(1);
  });

  it('when the body is malformed, then 400 VALIDATION_FAILED before anything is checked', async () => {
    const cases = [
      { districtId: 'not-a-uuid', username: 'a', password: 'b' },
      { districtId, username: '', password: 'b' },
      { districtId, username: 'a' },
      { districtId, username: 'a', password: 'b', totp: '12ab56' },
      { districtId, username: 'a', password: 'b', role: 'district_admin' },
    ];
    for (const body of cases) {
      const res = await login(body);
      expect({ body, status: res.status, code: res.body.error.code }).toEqual({
        body,
        status: 400,
        code: 'VALIDATION_FAILED',
      });
    }
  });

  it('when sign-ins succeed and fail, then the audit log records each with a reason and nothing secret', async () => {
    const teacher = await createActiveUserWithPassword(db, districtId);
    await login({ districtId, username: teacher.username, password: 'wrong-password-1' });
    await login({ districtId, username: 'ghost-user', password: 'wrong-password-2' });
    const token = await signIn(api.baseUrl, teacher);
    await request(api.baseUrl, 'POST', '/v1/auth/logout', { token });

    const events = await auditEvents(db, districtId);
    expect(events.map((e) => [e.action, e.actorId, e.details])).toEqual([
      ['login.failed', teacher.id, { reason: 'bad_password' }],
      ['login.failed', null, { reason: 'unknown_user' }],
      ['login.succeeded', teacher.id, { secondFactor: false }],
      ['logout', teacher.id, {}],
    ]);
    const written = JSON.stringify(events.map((e) => e.details));
    for (const secret of [teacher.username, teacher.password, 'ghost-user', 'wrong-password', token]) {
      expect(written).not.toContain(secret);
    }
    expect((await db.forDistrict(districtId).audit.verify()).ok).toBe(true);
  });
});
