import { type Database } from '../../libs/db/database';
import { testApiConfig } from '../support/config';
import {
  auditEvents,
  createActiveUserWithPassword,
  createDistrict,
  openTestDatabase,
  randomClientAddress,
  type TestDatabase,
  type TestUserWithPassword,
} from '../support/factories';
import { request, type RunningApi, startApi } from '../support/http';

interface Answer {
  accessToken?: string;
  expiresIn?: number;
  deviceToken?: string;
  error: { code: string; message: string };
}

interface OpenApiDocument {
  paths: Record<
    string,
    Record<
      string,
      { parameters?: unknown[]; responses: Record<string, { headers?: Record<string, unknown> }> }
    >
  >;
  components: { schemas: Record<string, { properties: Record<string, unknown>; required?: string[] }> };
}

const WINDOW_SECONDS = 900;
const WRONG = 'not-the-password';

describe('device tokens (OWASP device cookies): a known username cannot lock its owner out', () => {
  let database: TestDatabase;
  let db: Database;
  let districtId: string;
  /** Three failures per account bucket and window; addresses practically unlimited. */
  let api: RunningApi;
  let teacher: TestUserWithPassword;

  beforeAll(async () => {
    database = openTestDatabase();
    db = database.db;
    api = await startApi(
      testApiConfig({
        LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: '3',
        LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '10000',
        LOGIN_RATE_WINDOW_SECONDS: String(WINDOW_SECONDS),
      }),
    );
  });
  afterAll(async () => {
    await api?.close();
    await database?.close();
  });
  beforeEach(async () => {
    districtId = await createDistrict(db);
    teacher = await createActiveUserWithPassword(db, districtId);
  });

  const login = (
    user: { username: string },
    password: string,
    options: { deviceToken?: string; cookie?: string; address?: string } = {},
  ) =>
    request<Answer>(api.baseUrl, 'POST', '/v1/auth/login', {
      json: {
        districtId,
        username: user.username,
        password,
        ...(options.deviceToken ? { deviceToken: options.deviceToken } : {}),
      },
      headers: {
        'x-forwarded-for': options.address ?? randomClientAddress(),
        ...(options.cookie ? { cookie: options.cookie } : {}),
      },
    });
  /** A browser or app that signs in and keeps the device token it is given. */
  const trustedDevice = async (user: TestUserWithPassword) => {
    const res = await login(user, user.password);
    expect(res.status).toBe(200);
    expect(res.body.deviceToken).toEqual(expect.any(String));
    return res.body.deviceToken!;
  };
  /** An attacker who knows the username, guessing from a fresh address every time. */
  const attack = async (user: { username: string }, attempts: number, deviceToken?: string) => {
    const statuses: number[] = [];
    for (let i = 0; i < attempts; i++) statuses.push((await login(user, WRONG, { deviceToken })).status);
    return statuses;
  };
  const rateLimitedEvents = async () =>
    (await auditEvents(db, districtId))
      .filter((e) => e.action === 'login.rate_limited')
      .map((e) => [e.targetId, e.details]);

  it('when a known username is attacked from many addresses, then its owner with a device token still signs in while new clients are refused', async () => {
    const ownersToken = await trustedDevice(teacher);
    expect(await attack(teacher, 12)).toEqual([401, 401, 401, ...Array<number>(9).fill(429)]);

    const newBrowser = await login(teacher, teacher.password);
    expect([newBrowser.status, newBrowser.body.error?.code]).toEqual([429, 'RATE_LIMITED']);

    const owner = await login(teacher, teacher.password, { deviceToken: ownersToken });
    expect(owner.status).toBe(200);
    expect(
      (await request<{ id: string }>(api.baseUrl, 'GET', '/v1/me', { token: owner.body.accessToken })).body
        .id,
    ).toBe(teacher.id);
    // The same through the cookie a browser keeps, with the fresh token of the last sign-in.
    const byCookie = await login(teacher, teacher.password, {
      cookie: `theme=dark; homeroom_device=${owner.body.deviceToken}`,
    });
    expect(byCookie.status).toBe(200);

    // The owner's success does not hand the attacker a fresh set of attempts.
    expect(await attack(teacher, 2)).toEqual([429, 429]);
    expect(await rateLimitedEvents()).toEqual([
      [teacher.id, { scope: 'account', limit: 3, windowSeconds: WINDOW_SECONDS }],
    ]);
  });

  it('when the owner mistypes on a device, then that device has its own attempts, apart from the attacker’s', async () => {
    const ownersToken = await trustedDevice(teacher);
    await attack(teacher, 5);
    expect(await attack(teacher, 2, ownersToken)).toEqual([401, 401]);
    expect((await login(teacher, teacher.password, { deviceToken: ownersToken })).status).toBe(200);
  });

  it('when one device’s attempts run out, then that device alone is locked: other devices and new clients are not', async () => {
    const [stolen, laptop] = [await trustedDevice(teacher), await trustedDevice(teacher)];
    expect(await attack(teacher, 5, stolen)).toEqual([401, 401, 401, 429, 429]);
    expect((await login(teacher, teacher.password, { deviceToken: stolen })).status).toBe(429);
    expect((await login(teacher, teacher.password, { deviceToken: laptop })).status).toBe(200);
    expect((await login(teacher, teacher.password)).status).toBe(200);
    expect(await rateLimitedEvents()).toEqual([
      [teacher.id, { scope: 'device', limit: 3, windowSeconds: WINDOW_SECONDS }],
    ]);
  });

  it('when the token belongs to another account, or was edited, then it counts as no token', async () => {
    const colleague = await createActiveUserWithPassword(db, districtId);
    const colleaguesToken = await trustedDevice(colleague);
    const ownToken = await trustedDevice(teacher);
    const [body = '', mac = ''] = ownToken.split('.');
    const edited = `${body}.${mac.slice(0, -2)}${mac.endsWith('AA') ? 'BB' : 'AA'}`;
    const elsewhere = await createDistrict(db);
    const namesake = await createActiveUserWithPassword(db, elsewhere, { username: teacher.username });
    const namesakesToken = (
      await request<Answer>(api.baseUrl, 'POST', '/v1/auth/login', {
        json: { districtId: elsewhere, username: namesake.username, password: namesake.password },
        headers: { 'x-forwarded-for': randomClientAddress() },
      })
    ).body.deviceToken!;

    const statuses = [
      (await login(teacher, WRONG, { deviceToken: colleaguesToken })).status,
      (await login(teacher, WRONG, { deviceToken: edited })).status,
      (await login(teacher, WRONG, { deviceToken: namesakesToken })).status,
    ];
    expect(statuses).toEqual([401, 401, 401]);
    // All three were counted as untrusted: the account is now locked for clients without its token.
    expect((await login(teacher, teacher.password)).status).toBe(429);
    expect((await login(teacher, teacher.password, { deviceToken: colleaguesToken })).status).toBe(429);
    expect((await login(teacher, teacher.password, { deviceToken: ownToken })).status).toBe(200);
  });

  it('when a sign-in succeeds, then the token comes in the answer and as an HttpOnly, SameSite=Strict cookie for the sign-in routes', async () => {
    const before = Date.now();
    const res = await login(teacher, teacher.password);
    expect(res.status).toBe(200);
    expect(res.body.deviceToken).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    const cookie = res.headers.get('set-cookie') ?? '';
    const [pair, ...attributes] = cookie.split(';').map((part) => part.trim());
    expect(pair).toBe(`homeroom_device=${res.body.deviceToken}`);
    expect(attributes.filter((a) => !a.startsWith('Expires='))).toEqual([
      'Path=/v1/auth',
      'HttpOnly',
      'SameSite=Strict',
    ]);
    const expires = Date.parse(attributes.find((a) => a.startsWith('Expires='))!.slice('Expires='.length));
    const ttlMs = testApiConfig().LOGIN_DEVICE_TOKEN_TTL_DAYS * 24 * 3600 * 1000;
    expect(expires).toBeGreaterThanOrEqual(before + ttlMs - 1000);
    expect(expires).toBeLessThanOrEqual(Date.now() + ttlMs);
    // No token in the payload says anything but ids, a nonce and the expiry.
    const payload = JSON.parse(
      Buffer.from(res.body.deviceToken!.split('.')[0]!, 'base64url').toString('utf8'),
    );
    expect(Object.keys(payload).sort()).toEqual(['d', 'e', 'n', 'u']);
    expect([payload.d, payload.u]).toEqual([districtId, teacher.id]);

    const again = await login(teacher, teacher.password, { deviceToken: res.body.deviceToken });
    expect(again.body.deviceToken).not.toBe(res.body.deviceToken);
  });

  it('when a sign-in fails or is refused, then no device token is handed out', async () => {
    const failed = await login(teacher, WRONG);
    expect([failed.status, failed.body.deviceToken, failed.headers.get('set-cookie')]).toEqual([
      401,
      undefined,
      null,
    ]);
  });

  it('when the OpenAPI document is read, then the login route documents the deviceToken field and the cookie', async () => {
    const doc = (await request<OpenApiDocument>(api.baseUrl, 'GET', '/docs/openapi.json')).body;
    const operation = doc.paths['/v1/auth/login']!.post!;
    const schemas = doc.components.schemas;
    expect(schemas.LoginDto!.properties.deviceToken).toMatchObject({ type: 'string', maxLength: 512 });
    expect(schemas.LoginDto!.required).not.toContain('deviceToken');
    expect(schemas.LoginResponseDto!.properties.deviceToken).toMatchObject({ type: 'string' });
    expect(operation.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'homeroom_device', in: 'cookie', required: false }),
      ]),
    );
    expect(operation.responses['200']?.headers?.['Set-Cookie']).toBeDefined();
  });
});
