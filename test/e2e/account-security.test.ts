import { type Database } from '../../libs/db/database';
import { testApiConfig } from '../support/config';
import {
  auditEvents,
  createActiveUserWithPassword,
  createAdminWithTotp,
  createDistrict,
  openTestDatabase,
  randomClientAddress,
  signIn,
  strongPassword,
  type TestDatabase,
  type TestUserWithPassword,
} from '../support/factories';
import { request, type RunningApi, startApi } from '../support/http';

interface Answer {
  accessToken?: string;
  codes?: string[];
  error: { code: string; message: string };
}

/**
 * A stolen session must not be enough to take an account over for good: changing the password,
 * enrolling an authenticator and making recovery codes ask for the password again (and wrong answers
 * are limited like sign-in); a password change ends every other session; recovery codes work once.
 */
describe('account security (password change, recovery codes)', () => {
  let database: TestDatabase;
  let db: Database;
  let api: RunningApi;
  let districtId: string;

  const post = (path: string, token: string, json: unknown) =>
    request<Answer>(api.baseUrl, 'POST', `/v1/auth/${path}`, { token, json });
  const me = (token: string) => request(api.baseUrl, 'GET', '/v1/me', { token });
  const login = (user: TestUserWithPassword, extra: Record<string, string> = {}, password = user.password) =>
    request<Answer>(api.baseUrl, 'POST', '/v1/auth/login', {
      json: { districtId, username: user.username, password, ...extra },
      headers: { 'x-forwarded-for': randomClientAddress() },
    });

  beforeAll(async () => {
    database = openTestDatabase();
    db = database.db;
    api = await startApi(testApiConfig());
  });
  beforeEach(async () => {
    districtId = await createDistrict(db);
  });
  afterAll(async () => {
    await api?.close();
    await database?.close();
  });

  it('when a teacher changes their password, then other sessions end, this one stays, and only the new password works', async () => {
    const teacher = await createActiveUserWithPassword(db, districtId, { role: 'teacher' });
    const [here, elsewhere] = [await signIn(api.baseUrl, teacher), await signIn(api.baseUrl, teacher)];
    const next = strongPassword();

    const changed = await post('password', here, { currentPassword: teacher.password, newPassword: next });
    expect(changed.status).toBe(204);
    expect((await me(here)).status).toBe(200);
    expect((await me(elsewhere)).status).toBe(401);
    expect((await login(teacher)).status).toBe(401);
    expect((await login(teacher, {}, next)).status).toBe(200);
    const event = (await auditEvents(db, districtId)).find((e) => e.action === 'password.changed');
    expect(event?.details).toEqual({ sessionsEnded: 1 });
  });

  it('when the current password is wrong or the new one is weak, then nothing changes', async () => {
    const teacher = await createActiveUserWithPassword(db, districtId, { role: 'teacher' });
    const token = await signIn(api.baseUrl, teacher);
    const wrong = await post('password', token, {
      currentPassword: 'not it at all',
      newPassword: strongPassword(),
    });
    const weak = await post('password', token, {
      currentPassword: teacher.password,
      newPassword: 'password1234',
    });
    const mine = await post('password', token, {
      currentPassword: teacher.password,
      newPassword: `${teacher.username}-${teacher.username}`,
    });
    expect([wrong.status, wrong.body.error.code]).toEqual([403, 'INVALID_PASSWORD']);
    expect([weak.status, weak.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect([mine.status, mine.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect((await login(teacher)).status).toBe(200);
  });

  it('when a stolen session guesses the password, then it is limited like sign-in', async () => {
    const limited = await startApi(testApiConfig({ LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: '3' }));
    try {
      const teacher = await createActiveUserWithPassword(db, districtId, { role: 'teacher' });
      const token = await signIn(limited.baseUrl, teacher);
      const attempt = (currentPassword: string) =>
        request<Answer>(limited.baseUrl, 'POST', '/v1/auth/password', {
          token,
          json: { currentPassword, newPassword: strongPassword() },
        });
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await attempt(`guess-${i}`)).status);
      expect(statuses).toEqual([403, 403, 403, 429, 429]);
      const right = await attempt(teacher.password);
      expect(right.status).toBe(429);
      expect(right.headers.get('retry-after')).toMatch(/^\d+$/);
    } finally {
      await limited.close();
    }
  });

  it('when an admin makes recovery codes, then one signs in once in place of a code, with an alert; a new set voids the old', async () => {
    const admin = await createAdminWithTotp(db, districtId);
    const token = await admin.signIn(api.baseUrl);
    expect((await post('recovery-codes', token, { password: 'wrong password!' })).status).toBe(403);
    const made = await post('recovery-codes', token, { password: admin.password });
    expect(made.status).toBe(201);
    const codes = made.body.codes!;
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/);

    const typedLoosely = codes[0]!.toLowerCase().replaceAll('-', ' ');
    const first = await login(admin, { recoveryCode: typedLoosely });
    expect(first.status).toBe(200);
    const again = await login(admin, { recoveryCode: codes[0]! });
    expect([again.status, again.body.error.code]).toEqual([401, 'INVALID_CREDENTIALS']);
    const wrongPassword = await login(admin, { recoveryCode: codes[1]! }, 'not the password');
    expect(wrongPassword.status).toBe(401);

    const alerts = await request<{ items: { kind: string; details: Record<string, unknown> }[] }>(
      api.baseUrl,
      'GET',
      '/v1/admin/alerts',
      { token },
    );
    expect(alerts.body.items.filter((a) => a.kind === 'recovery_code_used')).toEqual([
      expect.objectContaining({ details: expect.objectContaining({ userId: admin.id, remaining: 9 }) }),
    ]);

    const fresh = await post('recovery-codes', token, { password: admin.password });
    expect(fresh.status).toBe(201);
    expect((await login(admin, { recoveryCode: codes[1]! })).status).toBe(401);
    expect((await login(admin, { recoveryCode: fresh.body.codes![0]! })).status).toBe(200);
    const actions = (await auditEvents(db, districtId)).map((e) => e.action);
    expect(actions.filter((a) => a === 'recovery_codes.generated')).toHaveLength(2);
  });

  it('when an account has no authenticator, then it gets no recovery codes and a recovery code signs nobody in', async () => {
    const guardian = await createActiveUserWithPassword(db, districtId, { role: 'guardian' });
    const token = await signIn(api.baseUrl, guardian);
    const refused = await post('recovery-codes', token, { password: guardian.password });
    expect([refused.status, refused.body.error.code]).toEqual([409, 'TOTP_NOT_ENABLED']);
    const admin = await createActiveUserWithPassword(db, districtId, { role: 'district_admin' });
    const bogus = await login(admin, { recoveryCode: 'AAAA-BBBB-CCCC-DDDD' });
    expect([bogus.status, bogus.body.error.code]).toEqual([401, 'INVALID_CREDENTIALS']);
  });
});
