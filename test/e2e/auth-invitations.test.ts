import { type Database } from '../../libs/db/database';
import { issueInvitation } from '../../libs/identity/invitations';
import { base32Decode, totpAt } from '../../libs/identity/totp';
import { type ApiStack, startApiStack } from '../support/api-stack';
import { testApiConfig } from '../support/config';
import {
  auditEvents,
  createActiveUserWithPassword,
  createDistrict,
  createInvitation,
  createUser,
  randomClientAddress,
  signIn,
  strongPassword,
  type TestDatabase,
  type TestUser,
} from '../support/factories';
import { request, type RunningApi } from '../support/http';
import { rowsOf } from '../support/database';

interface AcceptBody {
  otpauthUrl?: string;
  error: { code: string; message: string; details?: { field: string; message: string }[] };
}

describe('invitation acceptance (POST /v1/auth/invitations/accept)', () => {
  let stack: ApiStack;
  let api: RunningApi;
  let database: TestDatabase;
  let db: Database;
  let districtId: string;

  beforeAll(async () => {
    stack = await startApiStack();
    ({ api, database } = stack);
    db = database.db;
  });
  afterAll(() => stack?.stop());
  beforeEach(async () => {
    districtId = await createDistrict(db);
  });

  const accept = (token: string, password: string) =>
    request<AcceptBody>(api.baseUrl, 'POST', '/v1/auth/invitations/accept', { json: { token, password } });
  const login = (user: TestUser, password: string, totp?: string) =>
    request<{ accessToken: string; error: { code: string } }>(api.baseUrl, 'POST', '/v1/auth/login', {
      json: { districtId, username: user.username, password, totp },
      headers: { 'x-forwarded-for': randomClientAddress() },
    });
  const storedHash = async (userId: string) =>
    (await rowsOf(db).user.findUniqueOrThrow({ where: { id: userId } })).passwordHash;

  it('when a teacher accepts with a strong password, then 200 with no TOTP URL, and they can sign in', async () => {
    const teacher = await createUser(db, districtId, { role: 'teacher' });
    const { token } = await createInvitation(db, districtId, teacher.id);
    const password = strongPassword();

    const res = await accept(token, password);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({});
    expect(await storedHash(teacher.id)).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await signIn(api.baseUrl, { ...teacher, password });
  });

  it('when the same invitation is used again, then 401 INVALID_INVITATION and the first password stays', async () => {
    const teacher = await createUser(db, districtId);
    const { token } = await createInvitation(db, districtId, teacher.id);
    const first = strongPassword();
    expect((await accept(token, first)).status).toBe(200);
    const hash = await storedHash(teacher.id);

    const again = await accept(token, strongPassword());
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe('INVALID_INVITATION');
    expect(await storedHash(teacher.id)).toBe(hash);
    await signIn(api.baseUrl, { ...teacher, password: first });
  });

  it('when two acceptances of one invitation race, then exactly one wins and only its password works', async () => {
    const teacher = await createUser(db, districtId);
    const { token } = await createInvitation(db, districtId, teacher.id);
    const passwords = [strongPassword(), strongPassword(), strongPassword()];

    const results = await Promise.all(passwords.map((password) => accept(token, password)));
    const winners = results.flatMap((res, i) => (res.status === 200 ? [passwords[i]!] : []));
    expect(winners).toHaveLength(1);
    expect(results.filter((res) => res.status === 401)).toHaveLength(2);
    for (const password of passwords) {
      expect((await login(teacher, password)).status).toBe(password === winners[0] ? 200 : 401);
    }
    const accepted = (await auditEvents(db, districtId)).filter((e) => e.action === 'invitation.accepted');
    expect(accepted).toHaveLength(1);
  });

  it('when the invitation has expired, then 401 INVALID_INVITATION and no password is set', async () => {
    const teacher = await createUser(db, districtId);
    const ttlHours = testApiConfig().INVITATION_TTL_HOURS;
    const issuedLongAgo = new Date(Date.now() - ttlHours * 3600_000 - 60_000);
    const { token, expiresAt } = await issueInvitation(
      db,
      districtId,
      { userId: teacher.id, issuedById: null, ttlHours },
      issuedLongAgo,
    );
    expect(expiresAt.getTime()).toBeLessThan(Date.now());

    const res = await accept(token, strongPassword());
    expect([res.status, res.body.error.code]).toEqual([401, 'INVALID_INVITATION']);
    expect(await storedHash(teacher.id)).toBeNull();
  });

  it('when the token is unknown or the user was deactivated since, then the same 401', async () => {
    const unknown = await accept('A'.repeat(43), strongPassword());
    const teacher = await createUser(db, districtId);
    const { token } = await createInvitation(db, districtId, teacher.id);
    await db.forDistrict(districtId).users.deactivate(teacher.id, new Date());
    const deactivated = await accept(token, strongPassword());
    for (const res of [unknown, deactivated]) {
      expect([res.status, res.body.error.code]).toEqual([401, 'INVALID_INVITATION']);
    }
    expect(deactivated.body.error.message).toBe(unknown.body.error.message);
  });

  it.each([
    ['too short', () => 'x7#Kq9!vL2m', /at least 12 characters/],
    ['too long', () => 'ab1-'.repeat(40), /at most 128 characters/],
    ['common', () => 'Password1234!', /too easy to guess/],
    ['common, another', () => 'qwertyuiop123', /too easy to guess/],
    ['strong enough for a student but not for a teacher', () => 'summerbreeze22', /too easy to guess/],
    [
      'the username',
      (username: string) => `${username.toUpperCase()}-2026!`,
      /must not contain the username/,
    ],
  ])(
    'when the password is %s, then 400 VALIDATION_FAILED, nothing is set and the invitation still works',
    async (_case, makePassword, message) => {
      const teacher = await createUser(db, districtId);
      const { token } = await createInvitation(db, districtId, teacher.id);

      const res = await accept(token, makePassword(teacher.username));
      expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
      expect(res.body.error.message).toMatch(message);
      expect(res.body.error.details?.every((d) => d.field === 'password')).toBe(true);
      expect(await storedHash(teacher.id)).toBeNull();

      expect((await accept(token, strongPassword())).status).toBe(200);
    },
  );

  it('when the body is malformed, then 400 VALIDATION_FAILED', async () => {
    for (const json of [{}, { token: 'short', password: strongPassword() }, { token: 'A'.repeat(43) }]) {
      const res = await request<AcceptBody>(api.baseUrl, 'POST', '/v1/auth/invitations/accept', { json });
      expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    }
  });

  it('when an admin accepts, then the answer carries an otpauth URL and sign-in needs its codes', async () => {
    const admin = await createUser(db, districtId, { role: 'school_admin' });
    const { token } = await createInvitation(db, districtId, admin.id);
    const password = strongPassword();

    const res = await accept(token, password);
    expect(res.status).toBe(200);
    const url = new URL(res.body.otpauthUrl!);
    expect(`${url.protocol}//${url.host}${decodeURIComponent(url.pathname)}`).toBe(
      `otpauth://totp/Homeroom:${admin.username}`,
    );
    expect(Object.fromEntries(url.searchParams)).toEqual({
      secret: expect.stringMatching(/^[A-Z2-7]{32}$/),
      issuer: 'Homeroom',
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });

    expect((await login(admin, password)).body.error.code).toBe('TOTP_REQUIRED');
    const secret = base32Decode(url.searchParams.get('secret')!);
    expect((await login(admin, password, totpAt(secret, Date.now()))).status).toBe(200);
  });

  it('when an admin’s TOTP secret is stored, then it is sealed under the district’s data key, not in clear', async () => {
    const admin = await createUser(db, districtId, { role: 'district_admin' });
    const { token } = await createInvitation(db, districtId, admin.id);
    const res = await accept(token, strongPassword());
    const secret = new URL(res.body.otpauthUrl!).searchParams.get('secret')!;

    const row = await rowsOf(db).user.findUniqueOrThrow({ where: { id: admin.id } });
    expect(row.totpEnabled).toBe(true);
    expect(row.totpDataKeyId).toBe((await db.dataKeys.findActive(districtId))?.id);
    const stored = Buffer.from(row.totpSecretCiphertext!);
    expect(stored.toString('latin1')).not.toContain(secret);
    expect(stored.includes(base32Decode(secret))).toBe(false);
  });

  it('when an active account is invited again, then 409 ALREADY_ACTIVE; a password reset ends its sessions and old password, and its acceptance sets the new one', async () => {
    const teacher = await createActiveUserWithPassword(db, districtId);
    const oldToken = await signIn(api.baseUrl, teacher);
    await expect(createInvitation(db, districtId, teacher.id)).rejects.toMatchObject({
      status: 409,
      code: 'ALREADY_ACTIVE',
    });
    const { token } = await issueInvitation(db, districtId, {
      userId: teacher.id,
      issuedById: null,
      ttlHours: testApiConfig().INVITATION_TTL_HOURS,
      kind: 'password_reset',
    });
    expect((await request(api.baseUrl, 'GET', '/v1/me', { token: oldToken })).status).toBe(401);
    expect((await login(teacher, teacher.password)).status).toBe(401);
    const newPassword = strongPassword();

    expect((await accept(token, newPassword)).status).toBe(200);
    expect((await login(teacher, teacher.password)).status).toBe(401);
    expect((await login(teacher, newPassword)).status).toBe(200);
  });

  it('when an invitation is accepted, then it is audited without the token or password', async () => {
    const teacher = await createUser(db, districtId);
    const { token } = await createInvitation(db, districtId, teacher.id);
    const password = strongPassword();
    await accept(token, password);

    const events = await auditEvents(db, districtId);
    const invitation = await rowsOf(db).invitation.findFirstOrThrow({ where: { userId: teacher.id } });
    expect(invitation.usedAt).not.toBeNull();
    expect(events.map((e) => [e.action, e.actorId, e.targetId, e.details])).toEqual([
      ['invitation.issued', null, teacher.id, expect.objectContaining({ invitationId: invitation.id })],
      [
        'invitation.accepted',
        teacher.id,
        teacher.id,
        {
          invitationId: invitation.id,
          kind: 'invitation',
          totpEnrolled: false,
          sessionsRevoked: 0,
          invitationsRevoked: 0,
        },
      ],
    ]);
    const written = JSON.stringify(events.map((e) => e.details));
    for (const secret of [token, password, teacher.username]) expect(written).not.toContain(secret);
  });
});
