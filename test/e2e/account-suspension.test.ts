import { type Database } from '../../libs/db/database';
import { testApiConfig } from '../support/config';
import {
  auditEvents,
  createActiveUserWithPassword,
  createAdminWithTotp,
  createDistrict,
  createSchool,
  openTestDatabase,
  randomClientAddress,
  signIn,
  type TestAdmin,
  type TestDatabase,
  type TestUserWithPassword,
  unknownId,
} from '../support/factories';
import { request, type RunningApi, startApi } from '../support/http';
import { rowsOf } from '../support/database';

interface ErrorBody {
  error: { code: string; message: string };
}

/**
 * DESIGN.md invariant 11: a hijacked account is stopped in one step. Suspension ends every session
 * at once (the next request with any of its tokens is a 401), sign-in is refused until reinstated,
 * and both steps are audited and alerted.
 */
describe('account suspension', () => {
  let database: TestDatabase;
  let db: Database;
  let api: RunningApi;
  let districtId: string;
  let schoolId: string;
  let districtAdmin: TestAdmin;
  let adminToken: string;

  const me = (token: string) => request<ErrorBody>(api.baseUrl, 'GET', '/v1/me', { token });
  const suspend = (token: string, userId: string, reason = 'Account used by someone else') =>
    request<ErrorBody>(api.baseUrl, 'POST', `/v1/admin/users/${userId}/suspend`, { token, json: { reason } });
  const reinstate = (token: string, userId: string) =>
    request<ErrorBody>(api.baseUrl, 'POST', `/v1/admin/users/${userId}/reinstate`, { token });
  const login = (user: TestUserWithPassword, password = user.password) =>
    request<ErrorBody & { accessToken?: string }>(api.baseUrl, 'POST', '/v1/auth/login', {
      json: { districtId: user.districtId, username: user.username, password },
      headers: { 'x-forwarded-for': randomClientAddress() },
    });

  beforeAll(async () => {
    database = openTestDatabase();
    db = database.db;
    api = await startApi(testApiConfig());
    districtId = await createDistrict(db);
    schoolId = await createSchool(db, districtId);
    districtAdmin = await createAdminWithTotp(db, districtId);
    adminToken = await districtAdmin.signIn(api.baseUrl);
  });
  afterAll(async () => {
    await api?.close();
    await database?.close();
  });

  it('when a teacher is suspended, then every token of theirs answers 401 on the very next request', async () => {
    const teacher = await createActiveUserWithPassword(db, districtId, { role: 'teacher', schoolId });
    const tokens = [await signIn(api.baseUrl, teacher), await signIn(api.baseUrl, teacher)];
    for (const token of tokens) expect((await me(token)).status).toBe(200);

    expect((await suspend(adminToken, teacher.id)).status).toBe(204);

    for (const token of tokens) {
      const res = await me(token);
      expect({ status: res.status, code: res.body.error.code }).toEqual({
        status: 401,
        code: 'UNAUTHENTICATED',
      });
    }
    const sessions = await rowsOf(db).session.findMany({ where: { userId: teacher.id } });
    expect(sessions.map((s) => s.revokedAt !== null)).toEqual([true, true]);
  });

  it('when a suspended user signs in with the right password, then 403 ACCOUNT_SUSPENDED; a wrong one stays 401', async () => {
    const teacher = await createActiveUserWithPassword(db, districtId, { role: 'teacher', schoolId });
    await suspend(adminToken, teacher.id);

    const right = await login(teacher);
    const wrong = await login(teacher, `${teacher.password}-not`);
    expect({ status: right.status, code: right.body.error.code }).toEqual({
      status: 403,
      code: 'ACCOUNT_SUSPENDED',
    });
    expect({ status: wrong.status, code: wrong.body.error.code }).toEqual({
      status: 401,
      code: 'INVALID_CREDENTIALS',
    });
    expect(await rowsOf(db).session.count({ where: { userId: teacher.id } })).toBe(0);
  });

  it('when the account is reinstated, then sign-in works again, and old tokens stay dead', async () => {
    const teacher = await createActiveUserWithPassword(db, districtId, { role: 'teacher', schoolId });
    const oldToken = await signIn(api.baseUrl, teacher);
    await suspend(adminToken, teacher.id);
    expect((await reinstate(adminToken, teacher.id)).status).toBe(204);

    expect((await me(oldToken)).status).toBe(401);
    const fresh = await login(teacher);
    expect(fresh.status).toBe(200);
    expect((await me(fresh.body.accessToken!)).status).toBe(200);
  });

  it('when suspension and reinstatement happen, then each is audited and raises an alert', async () => {
    const teacher = await createActiveUserWithPassword(db, districtId, { role: 'teacher', schoolId });
    await signIn(api.baseUrl, teacher);
    await suspend(adminToken, teacher.id, 'Parent reported odd messages');
    await reinstate(adminToken, teacher.id);

    const events = (await auditEvents(db, districtId)).filter((e) => e.targetId === teacher.id);
    expect(events.map((e) => [e.action, e.actorId])).toEqual([
      ['user.suspended', districtAdmin.id],
      ['user.reinstated', districtAdmin.id],
    ]);
    expect(events[0]!.details).toEqual(
      expect.objectContaining({ reason: 'Parent reported odd messages', sessionsEnded: 1 }),
    );
    const alerts = await request<{ items: { kind: string; details: Record<string, unknown> }[] }>(
      api.baseUrl,
      'GET',
      '/v1/admin/alerts',
      { token: adminToken },
    );
    const mine = alerts.body.items.filter((a) => a.details.userId === teacher.id).map((a) => a.kind);
    expect(mine.sort()).toEqual(['account_reinstated', 'account_suspended']);
  });

  it('when a school admin suspends, then only non-admins of their own school can be reached', async () => {
    const schoolAdmin = await createAdminWithTotp(db, districtId, { role: 'school_admin', schoolId });
    const token = await schoolAdmin.signIn(api.baseUrl);
    const ownTeacher = await createActiveUserWithPassword(db, districtId, { role: 'teacher', schoolId });
    const otherSchool = await createSchool(db, districtId);
    const otherTeacher = await createActiveUserWithPassword(db, districtId, {
      role: 'teacher',
      schoolId: otherSchool,
    });
    const peerAdmin = await createActiveUserWithPassword(db, districtId, { role: 'school_admin', schoolId });

    expect((await suspend(token, ownTeacher.id)).status).toBe(204);
    expect((await suspend(token, otherTeacher.id)).status).toBe(404);
    expect((await suspend(token, peerAdmin.id)).status).toBe(403);
    // The district admin belongs to no school: outside a school admin's reach, so not found.
    expect((await suspend(token, districtAdmin.id)).status).toBe(404);
    expect((await login(otherTeacher)).status).toBe(200);
  });

  it('when the request is wrong, then a clear 4xx and nothing changes', async () => {
    const teacher = await createActiveUserWithPassword(db, districtId, { role: 'teacher', schoolId });
    const token = await signIn(api.baseUrl, teacher);
    const otherDistrict = await createDistrict(db);
    const foreigner = await createActiveUserWithPassword(db, otherDistrict, { role: 'teacher' });

    const cases = [
      [await suspend(adminToken, districtAdmin.id), 403],
      [await suspend(adminToken, foreigner.id), 404],
      [await suspend(adminToken, unknownId()), 404],
      [await suspend(adminToken, teacher.id, ''), 400],
      [await suspend(adminToken, teacher.id, 'line one\nline two'), 400],
      [
        await request(api.baseUrl, 'POST', `/v1/admin/users/${teacher.id}/suspend`, {
          token: adminToken,
          json: {},
        }),
        400,
      ],
      [await suspend(token, teacher.id), 403],
      [await reinstate(adminToken, teacher.id), 409],
    ] as const;
    expect(cases.map(([res]) => res.status)).toEqual(cases.map(([, status]) => status));
    expect((await me(token)).status).toBe(200);
    expect((await login(foreigner)).status).toBe(200);

    expect((await suspend(adminToken, teacher.id)).status).toBe(204);
    const twice = await suspend(adminToken, teacher.id);
    expect({ status: twice.status, code: twice.body.error.code }).toEqual({
      status: 409,
      code: 'ALREADY_SUSPENDED',
    });
  });
});

describe('a person’s own sessions', () => {
  let database: TestDatabase;
  let api: RunningApi;

  beforeAll(async () => {
    database = openTestDatabase();
    api = await startApi(testApiConfig());
  });
  afterAll(async () => {
    await api?.close();
    await database?.close();
  });

  interface SessionList {
    items: { id: string; createdAt: string; lastSeenAt: string | null; current: boolean }[];
  }

  it('when someone lists and ends their sessions, then only their own are seen and ended', async () => {
    const districtId = await createDistrict(database.db);
    const guardian = await createActiveUserWithPassword(database.db, districtId, { role: 'guardian' });
    const stranger = await createActiveUserWithPassword(database.db, districtId, { role: 'guardian' });
    const [phone, laptop] = [await signIn(api.baseUrl, guardian), await signIn(api.baseUrl, guardian)];
    const strangerToken = await signIn(api.baseUrl, stranger);

    const listed = await request<SessionList>(api.baseUrl, 'GET', '/v1/auth/sessions', { token: phone });
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(2);
    expect(listed.body.items.filter((s) => s.current)).toHaveLength(1);
    const laptopSession = listed.body.items.find((s) => !s.current)!;
    // Seen when used: the phone made this request, the laptop only signed in.
    expect(listed.body.items.find((s) => s.current)!.lastSeenAt).not.toBeNull();
    expect(laptopSession.lastSeenAt).toBeNull();

    const strangerList = await request<SessionList>(api.baseUrl, 'GET', '/v1/auth/sessions', {
      token: strangerToken,
    });
    const strangerSession = strangerList.body.items[0]!;
    const foreign = await request(api.baseUrl, 'DELETE', `/v1/auth/sessions/${strangerSession.id}`, {
      token: phone,
    });
    expect(foreign.status).toBe(404);
    expect((await request(api.baseUrl, 'GET', '/v1/me', { token: strangerToken })).status).toBe(200);

    const ended = await request(api.baseUrl, 'DELETE', `/v1/auth/sessions/${laptopSession.id}`, {
      token: phone,
    });
    expect(ended.status).toBe(204);
    expect((await request(api.baseUrl, 'GET', '/v1/me', { token: laptop })).status).toBe(401);
    expect((await request(api.baseUrl, 'GET', '/v1/me', { token: phone })).status).toBe(200);
    const again = await request(api.baseUrl, 'DELETE', `/v1/auth/sessions/${laptopSession.id}`, {
      token: phone,
    });
    expect(again.status).toBe(404);
  });
});
