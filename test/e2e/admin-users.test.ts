import { type Database } from '../../libs/db/database';
import { type ApiStack, startApiStack } from '../support/api-stack';
import { testApiConfig } from '../support/config';
import {
  auditEvents,
  createActiveUserWithPassword,
  createAdminWithTotp,
  createDistrict,
  createSchool,
  createUser,
  randomClientAddress,
  signIn,
  strongPassword,
  type TestAdmin,
  type TestDatabase,
  unknownId,
} from '../support/factories';
import { request, type RunningApi, startApi } from '../support/http';
import { rowsOf } from '../support/database';

interface AdminUser {
  id: string;
  role: string;
  sourcedId: string | null;
  username: string | null;
  givenName: string;
  familyName: string;
  active: boolean;
}
interface Page {
  items: AdminUser[];
  nextCursor: string | null;
  error: { code: string; message: string };
}

describe('user administration (GET /v1/admin/users, POST /v1/admin/users/{id}/invitations and /password-reset)', () => {
  let stack: ApiStack;
  let api: RunningApi;
  let database: TestDatabase;
  let db: Database;
  let districtId: string;
  let admin: TestAdmin;
  let adminToken: string;

  beforeAll(async () => {
    stack = await startApiStack();
    ({ api, database } = stack);
    db = database.db;
  });
  afterAll(() => stack?.stop());
  beforeEach(async () => {
    districtId = await createDistrict(db);
    admin = await createAdminWithTotp(db, districtId);
    adminToken = await admin.signIn(api.baseUrl);
  });

  const list = (token: string, query = '') =>
    request<Page>(api.baseUrl, 'GET', `/v1/admin/users${query}`, { token });
  const invite = (token: string, userId: string) =>
    request<{ token: string; expiresAt: string; error: { code: string } }>(
      api.baseUrl,
      'POST',
      `/v1/admin/users/${userId}/invitations`,
      { token },
    );
  const resetPassword = (token: string, userId: string) =>
    request<{ token: string; expiresAt: string; error: { code: string } }>(
      api.baseUrl,
      'POST',
      `/v1/admin/users/${userId}/password-reset`,
      { token },
    );
  const accept = (token: string, password: string) =>
    request<{ error: { code: string } }>(api.baseUrl, 'POST', '/v1/auth/invitations/accept', {
      json: { token, password },
    });

  async function listAll(
    token: string,
    query: string,
    limit: number,
  ): Promise<{ ids: string[]; pages: number }> {
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const params = new URLSearchParams(query);
      params.set('limit', String(limit));
      if (cursor) params.set('cursor', cursor);
      const res = await list(token, `?${params.toString()}`);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(limit);
      ids.push(...res.body.items.map((u) => u.id));
      cursor = res.body.nextCursor;
      pages += 1;
    } while (cursor);
    return { ids, pages };
  }

  it('when a district admin lists users page by page, then every user of the district appears once, by id', async () => {
    const users = await Promise.all([
      createUser(db, districtId, { role: 'student' }),
      createUser(db, districtId, { role: 'student' }),
      createUser(db, districtId, { role: 'guardian' }),
      createUser(db, districtId, { role: 'teacher', active: false }),
    ]);
    const otherDistrict = await createDistrict(db);
    await createUser(db, otherDistrict);

    const { ids, pages } = await listAll(adminToken, '', 2);
    const expected = [admin.id, ...users.map((u) => u.id)].sort();
    expect(ids).toEqual(expected);
    expect(pages).toBe(3);
  });

  it('when the list is read, then items carry exactly the contract fields', async () => {
    const student = await createUser(db, districtId, {
      role: 'student',
      givenName: 'Lee',
      sourcedId: 'stu-42',
    });
    const res = await list(adminToken, '?sourcedId=stu-42');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      items: [
        {
          id: student.id,
          role: 'student',
          sourcedId: 'stu-42',
          username: student.username,
          givenName: 'Lee',
          familyName: student.familyName,
          active: true,
          suspended: false,
        },
      ],
      nextCursor: null,
    });
  });

  it('when filtered by role, then only users of that role are listed', async () => {
    const guardians = await Promise.all(
      [1, 2, 3].map(() => createUser(db, districtId, { role: 'guardian' })),
    );
    await createUser(db, districtId, { role: 'student' });
    const { ids } = await listAll(adminToken, 'role=guardian', 2);
    expect(ids).toEqual(guardians.map((g) => g.id).sort());
  });

  it('when the query is malformed, then 400 VALIDATION_FAILED', async () => {
    for (const query of [
      '?limit=0',
      '?limit=101',
      '?limit=ten',
      '?role=principal',
      '?cursor=garbage',
      '?extra=1',
    ]) {
      const res = await list(adminToken, query);
      expect({ query, status: res.status, code: res.body.error?.code }).toEqual({
        query,
        status: 400,
        code: 'VALIDATION_FAILED',
      });
    }
    const forged = Buffer.from(JSON.stringify({ id: 'not-a-uuid' })).toString('base64url');
    expect((await list(adminToken, `?cursor=${forged}`)).status).toBe(400);
  });

  it('when a teacher, student or guardian calls either route, then 403 FORBIDDEN', async () => {
    for (const role of ['teacher', 'student', 'guardian'] as const) {
      const user = await createActiveUserWithPassword(db, districtId, { role });
      const token = await signIn(api.baseUrl, user);
      const listed = await list(token);
      const invited = await invite(token, user.id);
      expect([role, listed.status, listed.body.error.code]).toEqual([role, 403, 'FORBIDDEN']);
      expect([role, invited.status, invited.body.error.code]).toEqual([role, 403, 'FORBIDDEN']);
    }
  });

  it('when an admin invites a user, then the token works once at invitation acceptance', async () => {
    const teacher = await createUser(db, districtId, { role: 'teacher' });
    const before = Date.now();
    const res = await invite(adminToken, teacher.id);
    expect(res.status).toBe(201);
    expect(res.body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Date(res.body.expiresAt).getTime()).toBeGreaterThan(before);

    const password = strongPassword();
    const accept = (pw: string) =>
      request(api.baseUrl, 'POST', '/v1/auth/invitations/accept', {
        json: { token: res.body.token, password: pw },
      });
    expect((await accept(password)).status).toBe(200);
    expect((await accept(strongPassword())).status).toBe(401);
    await signIn(api.baseUrl, { districtId, username: teacher.username, password });
  });

  it('when a second invitation is issued, then the first answers 401 INVALID_INVITATION, the second works and a third is refused with 409 ALREADY_ACTIVE', async () => {
    const teacher = await createUser(db, districtId, { role: 'teacher' });
    const first = await invite(adminToken, teacher.id);
    const second = await invite(adminToken, teacher.id);
    expect([first.status, second.status]).toEqual([201, 201]);

    const superseded = await accept(first.body.token, strongPassword());
    expect([superseded.status, superseded.body.error.code]).toEqual([401, 'INVALID_INVITATION']);
    expect((await rowsOf(db).user.findUniqueOrThrow({ where: { id: teacher.id } })).passwordHash).toBeNull();
    const password = strongPassword();
    expect((await accept(second.body.token, password)).status).toBe(200);
    await signIn(api.baseUrl, { districtId, username: teacher.username, password });

    const third = await invite(adminToken, teacher.id);
    expect([third.status, third.body.error.code]).toEqual([409, 'ALREADY_ACTIVE']);
    expect(
      await rowsOf(db).invitation.count({ where: { userId: teacher.id, usedAt: null, revokedAt: null } }),
    ).toBe(0);
    const issued = (await auditEvents(db, districtId)).filter((e) => e.action === 'invitation.issued');
    expect(issued.map((e) => (e.details as { invitationsRevoked: number }).invitationsRevoked)).toEqual([
      0, 1,
    ]);
  });

  it('when an admin resets an active password, then the old sessions and password stop working at once, an older token is revoked and the new token sets the password once', async () => {
    const teacher = await createActiveUserWithPassword(db, districtId, { role: 'teacher' });
    const session = await signIn(api.baseUrl, teacher);
    expect((await request(api.baseUrl, 'GET', '/v1/me', { token: session })).status).toBe(200);

    const before = Date.now();
    const earlier = await resetPassword(adminToken, teacher.id);
    const reset = await resetPassword(adminToken, teacher.id);
    expect([earlier.status, reset.status]).toEqual([201, 201]);
    const ttlMs = testApiConfig().INVITATION_TTL_HOURS * 3600_000;
    expect(new Date(reset.body.expiresAt).getTime()).toBeGreaterThanOrEqual(before + ttlMs);
    expect(new Date(reset.body.expiresAt).getTime()).toBeLessThanOrEqual(Date.now() + ttlMs);
    expect((await request(api.baseUrl, 'GET', '/v1/me', { token: session })).status).toBe(401);
    const oldPassword = await request(api.baseUrl, 'POST', '/v1/auth/login', {
      json: { districtId, username: teacher.username, password: teacher.password },
      headers: { 'x-forwarded-for': randomClientAddress() },
    });
    expect(oldPassword.status).toBe(401);

    expect((await accept(earlier.body.token, strongPassword())).status).toBe(401);
    const password = strongPassword();
    expect((await accept(reset.body.token, password)).status).toBe(200);
    expect((await accept(reset.body.token, strongPassword())).status).toBe(401);
    await signIn(api.baseUrl, { districtId, username: teacher.username, password });

    const audited = (await auditEvents(db, districtId)).filter((e) => e.action === 'password_reset.issued');
    const revoked = (e: (typeof audited)[number]) =>
      (e.details as { sessionsRevoked: number }).sessionsRevoked;
    expect(audited.map((e) => [e.actorId, e.targetId, revoked(e)])).toEqual([
      [admin.id, teacher.id, 1],
      [admin.id, teacher.id, 0],
    ]);
  });

  it('when a password reset names someone out of reach, then 404, 403 or 409 and nothing is issued', async () => {
    const otherDistrict = await createDistrict(db);
    const stranger = await createUser(db, otherDistrict);
    for (const id of [stranger.id, unknownId(), 'not-a-uuid']) {
      const res = await resetPassword(adminToken, id);
      expect([id, res.status, res.body.error.code]).toEqual([id, 404, 'NOT_FOUND']);
    }
    const gone = await createUser(db, districtId, { active: false });
    const inactive = await resetPassword(adminToken, gone.id);
    expect([inactive.status, inactive.body.error.code]).toEqual([409, 'USER_INACTIVE']);
    const school = await createSchool(db, districtId);
    const schoolAdmin = await createAdminWithTotp(db, districtId, { role: 'school_admin', schoolId: school });
    const schoolToken = await schoolAdmin.signIn(api.baseUrl);
    const colleague = await createUser(db, districtId, { role: 'school_admin', schoolId: school });
    const refused = await resetPassword(schoolToken, colleague.id);
    expect([refused.status, refused.body.error.code]).toEqual([403, 'FORBIDDEN']);
    const teacher = await createActiveUserWithPassword(db, districtId, { role: 'teacher' });
    const teacherToken = await signIn(api.baseUrl, teacher);
    expect((await resetPassword(teacherToken, colleague.id)).status).toBe(403);
    expect(
      await rowsOf(db).invitation.count({ where: { userId: { in: [stranger.id, gone.id, colleague.id] } } }),
    ).toBe(0);
  });

  it('when INVITATION_TTL_HOURS is set, then invitations expire after that many hours', async () => {
    const shortLived = await startApi(testApiConfig({ INVITATION_TTL_HOURS: '2' }));
    try {
      const teacher = await createUser(db, districtId, { role: 'teacher' });
      const before = Date.now();
      const res = await request<{ expiresAt: string }>(
        shortLived.baseUrl,
        'POST',
        `/v1/admin/users/${teacher.id}/invitations`,
        { token: adminToken },
      );
      expect(res.status).toBe(201);
      const expires = new Date(res.body.expiresAt).getTime();
      expect(expires).toBeGreaterThanOrEqual(before + 2 * 3600_000);
      expect(expires).toBeLessThanOrEqual(Date.now() + 2 * 3600_000);
    } finally {
      await shortLived.close();
    }
  });

  it('when the user is in another district, unknown or not a UUID, then 404 NOT_FOUND', async () => {
    const otherDistrict = await createDistrict(db);
    const stranger = await createUser(db, otherDistrict);
    for (const id of [stranger.id, unknownId(), 'not-a-uuid']) {
      const res = await invite(adminToken, id);
      expect([id, res.status, res.body.error.code]).toEqual([id, 404, 'NOT_FOUND']);
    }
    expect(await rowsOf(db).invitation.count({ where: { userId: stranger.id } })).toBe(0);
  });

  it('when the user is deactivated, then the invitation is refused with 409', async () => {
    const gone = await createUser(db, districtId, { active: false });
    const res = await invite(adminToken, gone.id);
    expect([res.status, res.body.error.code]).toEqual([409, 'USER_INACTIVE']);
  });

  it('when a school admin lists and invites, then only users of their own school are reachable', async () => {
    const [mySchool, otherSchool] = [await createSchool(db, districtId), await createSchool(db, districtId)];
    const principal = await createAdminWithTotp(db, districtId, { role: 'school_admin', schoolId: mySchool });
    const token = await principal.signIn(api.baseUrl);
    const mine = await createUser(db, districtId, { role: 'teacher', schoolId: mySchool });
    const theirs = await createUser(db, districtId, { role: 'teacher', schoolId: otherSchool });
    const districtAdminHere = await createUser(db, districtId, {
      role: 'district_admin',
      schoolId: mySchool,
    });

    const { ids } = await listAll(token, '', 100);
    expect(ids).toEqual([principal.id, mine.id, districtAdminHere.id].sort());
    expect((await invite(token, mine.id)).status).toBe(201);
    expect((await invite(token, theirs.id)).status).toBe(404);
    expect((await invite(token, districtAdminHere.id)).status).toBe(403);
  });

  it('when an admin lists users and invites, then both are audited with ids and counts only', async () => {
    const teacher = await createUser(db, districtId, { role: 'teacher', sourcedId: 'tch-7' });
    await list(adminToken, '?sourcedId=tch-7');
    await invite(adminToken, teacher.id);

    const events = (await auditEvents(db, districtId)).filter((e) => e.action !== 'login.succeeded');
    expect(events.map((e) => [e.action, e.actorId, e.targetId])).toEqual([
      ['admin.users.listed', admin.id, null],
      ['invitation.issued', admin.id, teacher.id],
    ]);
    expect(events[0]!.details).toEqual({ count: 1, role: null, bySourcedId: true, continued: false });
    const written = JSON.stringify(events.map((e) => e.details));
    for (const personal of [teacher.username, teacher.familyName, 'tch-7'])
      expect(written).not.toContain(personal);
  });
});
