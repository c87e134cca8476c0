import { FieldCipher } from '../../libs/crypto/envelope';
import { LocalKeyWrapper } from '../../libs/crypto/key-wrapper';
import { parseMasterKeyRing } from '../../libs/crypto/master-key-ring';
import { type Database } from '../../libs/db/database';
import { base32Decode, totpAt, totpStep } from '../../libs/identity/totp';
import { TotpSecretBox } from '../../libs/identity/totp-secrets';
import { type ApiStack, LENIENT_LOGIN_LIMITS, startApiStack } from '../support/api-stack';
import { testApiConfig } from '../support/config';
import {
  auditEvents,
  createActiveUserWithPassword,
  createAdminWithTotp,
  createDistrict,
  randomClientAddress,
  signIn,
  type TestDatabase,
  type TestUserWithPassword,
} from '../support/factories';
import { request, type RunningApi } from '../support/http';
import { rowsOf } from '../support/database';

interface Answer {
  accessToken?: string;
  otpauthUrl?: string;
  error: { code: string; message: string };
}

/** A six-digit code that is none of the codes accepted around `timeMs`. */
function wrongCode(secret: Buffer, timeMs: number): string {
  const accepted = new Set([-1, 0, 1].map((drift) => totpAt(secret, timeMs + drift * 30_000)));
  for (let n = 0; ; n++) {
    const code = String(n).padStart(6, '0');
    if (!accepted.has(code)) return code;
  }
}

describe('second factor (TOTP at sign-in, POST /v1/auth/totp/enroll and /verify)', () => {
  let stack: ApiStack;
  let api: RunningApi;
  let database: TestDatabase;
  let db: Database;
  let districtId: string;

  beforeAll(async () => {
    stack = await startApiStack(LENIENT_LOGIN_LIMITS);
    ({ api, database } = stack);
    db = database.db;
  });
  afterAll(() => stack?.stop());
  beforeEach(async () => {
    districtId = await createDistrict(db);
  });

  const login = (user: TestUserWithPassword, totp?: string, password = user.password) =>
    request<Answer>(api.baseUrl, 'POST', '/v1/auth/login', {
      json: { districtId, username: user.username, password, totp },
      headers: { 'x-forwarded-for': randomClientAddress() },
    });
  const call = (path: string, token: string, json?: unknown) =>
    request<Answer>(api.baseUrl, 'POST', `/v1/auth/totp/${path}`, { token, json });

  it('when an admin signs in without a code, then 401 TOTP_REQUIRED and no session', async () => {
    const admin = await createAdminWithTotp(db, districtId);
    const res = await login(admin);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('TOTP_REQUIRED');
    expect(res.body.accessToken).toBeUndefined();
    expect(await rowsOf(db).session.count({ where: { userId: admin.id } })).toBe(0);
  });

  it('when the password is wrong, then the answer is INVALID_CREDENTIALS, never TOTP_REQUIRED', async () => {
    const admin = await createAdminWithTotp(db, districtId);
    const res = await login(admin, undefined, `${admin.password}-nope`);
    expect([res.status, res.body.error.code]).toEqual([401, 'INVALID_CREDENTIALS']);
  });

  it('when an admin gives the current code, then 200; the same code again is refused (replay)', async () => {
    const admin = await createAdminWithTotp(db, districtId);
    const code = await admin.nextCode();
    expect((await login(admin, code)).status).toBe(200);

    const replay = await login(admin, code);
    expect([replay.status, replay.body.error.code]).toEqual([401, 'INVALID_CREDENTIALS']);
  });

  it('when the same code is sent twice at once, then only one sign-in succeeds', async () => {
    const admin = await createAdminWithTotp(db, districtId);
    const code = await admin.nextCode();
    const results = await Promise.all([login(admin, code), login(admin, code), login(admin, code)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401, 401]);
  });

  it('when the code is wrong or from two steps ago, then 401 INVALID_CREDENTIALS', async () => {
    const admin = await createAdminWithTotp(db, districtId);
    const now = Date.now();
    for (const code of [wrongCode(admin.totpSecret, now), totpAt(admin.totpSecret, now - 90_000)]) {
      const res = await login(admin, code);
      expect([res.status, res.body.error.code]).toEqual([401, 'INVALID_CREDENTIALS']);
    }
    expect((await login(admin, await admin.nextCode())).status).toBe(200);
  });

  it('when a code older than the last accepted one is sent, then it is refused even inside the window', async () => {
    const admin = await createAdminWithTotp(db, districtId);
    const step = totpStep(Date.now());
    expect((await login(admin, totpAt(admin.totpSecret, (step + 1) * 30_000))).status).toBe(200);
    const older = await login(admin, totpAt(admin.totpSecret, step * 30_000));
    expect([older.status, older.body.error.code]).toEqual([401, 'INVALID_CREDENTIALS']);
  });

  it('when second-factor sign-ins fail and succeed, then each is audited with its reason and no code', async () => {
    const admin = await createAdminWithTotp(db, districtId);
    const code = await admin.nextCode();
    await login(admin);
    await login(admin, wrongCode(admin.totpSecret, Date.now()));
    await login(admin, code);
    await login(admin, code);

    const events = await auditEvents(db, districtId);
    expect(events.map((e) => [e.action, e.actorId, e.details])).toEqual([
      ['login.failed', admin.id, { reason: 'totp_required' }],
      ['login.failed', admin.id, { reason: 'bad_totp' }],
      ['login.succeeded', admin.id, { secondFactor: 'totp' }],
      ['login.failed', admin.id, { reason: 'totp_replayed' }],
    ]);
    expect(JSON.stringify(events.map((e) => e.details))).not.toContain(code);
  });

  it('when an admin has no enabled secret, then sign-in fails closed whatever the code', async () => {
    const admin = await createActiveUserWithPassword(db, districtId, { role: 'district_admin' });
    expect((await login(admin)).body.error.code).toBe('TOTP_REQUIRED');
    expect((await login(admin, '123456')).body.error.code).toBe('INVALID_CREDENTIALS');
  });

  it('when a teacher enrols and verifies, then later sign-ins need a code', async () => {
    const teacher = await createActiveUserWithPassword(db, districtId);
    const token = await signIn(api.baseUrl, teacher);

    const withoutPassword = await call('enroll', token);
    const wrongPassword = await call('enroll', token, { password: `${teacher.password}x` });
    expect([withoutPassword.status, wrongPassword.status, wrongPassword.body.error.code]).toEqual([
      400,
      403,
      'INVALID_PASSWORD',
    ]);
    const enrolled = await call('enroll', token, { password: teacher.password });
    expect(enrolled.status).toBe(200);
    const url = new URL(enrolled.body.otpauthUrl!);
    expect(decodeURIComponent(url.pathname)).toBe(`/Homeroom:${teacher.username}`);
    const secret = base32Decode(url.searchParams.get('secret')!);

    // Pending until verified: a lost enrolment must not lock the teacher out.
    expect((await login(teacher)).status).toBe(200);

    const wrong = await call('verify', token, { code: wrongCode(secret, Date.now()) });
    expect([wrong.status, wrong.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect((await login(teacher)).status).toBe(200);

    const step = totpStep(Date.now());
    const verified = await call('verify', token, { code: totpAt(secret, step * 30_000) });
    expect(verified.status).toBe(204);

    expect((await login(teacher)).body.error.code).toBe('TOTP_REQUIRED');
    // The code that verified the enrolment counts as used.
    expect((await login(teacher, totpAt(secret, step * 30_000))).body.error.code).toBe('INVALID_CREDENTIALS');
    expect((await login(teacher, totpAt(secret, (step + 1) * 30_000))).status).toBe(200);

    const events = (await auditEvents(db, districtId)).map((e) => e.action);
    expect(events).toEqual(expect.arrayContaining(['totp.enrolled', 'totp.verified']));
  });

  it('when TOTP is already enabled, then enrol and verify answer 409 TOTP_ALREADY_ENABLED', async () => {
    const admin = await createAdminWithTotp(db, districtId);
    const token = await admin.signIn(api.baseUrl);
    const enroll = await call('enroll', token, { password: admin.password });
    const verify = await call('verify', token, { code: '123456' });
    expect([enroll.status, enroll.body.error.code]).toEqual([409, 'TOTP_ALREADY_ENABLED']);
    expect([verify.status, verify.body.error.code]).toEqual([409, 'TOTP_ALREADY_ENABLED']);
    expect((await login(admin, await admin.nextCode())).status).toBe(200);
  });

  it('when verify comes before enrol or the code is malformed, then 409 TOTP_NOT_ENROLLED or 400', async () => {
    const teacher = await createActiveUserWithPassword(db, districtId);
    const token = await signIn(api.baseUrl, teacher);
    const early = await call('verify', token, { code: '123456' });
    expect([early.status, early.body.error.code]).toEqual([409, 'TOTP_NOT_ENROLLED']);
    for (const json of [{}, { code: '12345' }, { code: 'abcdef' }, { code: 123456 }]) {
      expect((await call('verify', token, json)).status).toBe(400);
    }
  });

  it('when a sealed secret is copied onto another user, then it does not open there', async () => {
    const box = new TotpSecretBox(
      new FieldCipher(db.dataKeys, new LocalKeyWrapper(parseMasterKeyRing(testApiConfig()))),
    );
    const [alice, bob] = [
      await createAdminWithTotp(db, districtId),
      await createAdminWithTotp(db, districtId),
    ];
    const sealed = await box.seal(districtId, alice.id, alice.totpSecret);
    expect(await box.open(alice.id, sealed)).toEqual(alice.totpSecret);
    await expect(box.open(bob.id, sealed)).rejects.toThrow(/could not be decrypted/);
  });
});
