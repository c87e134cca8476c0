import { randomBytes } from 'node:crypto';
import { type Database } from '../../libs/db/database';
import { homeroom } from '../support/cli';
import { testApiConfig } from '../support/config';
import {
  auditEvents,
  createActiveUserWithPassword,
  createDistrict,
  createSchool,
  createUser,
  openTestDatabase,
  randomClientAddress,
  type TestDatabase,
  type TestUser,
  uniqueSuffix,
} from '../support/factories';
import { request, type RunningApi, startApi } from '../support/http';
import { CookieJar, startIdentityProvider, type TestIdentityProvider } from '../support/oidc-provider';
import { freePort } from '../support/processes';
import { rowsOf } from '../support/database';

interface ErrorBody {
  error: { code: string; message: string };
}

/** The app's own address: registered with the district, never fetched (redirects are not followed). */
const APP = 'http://127.0.0.1:9/app/signed-in';
const CLIENT_ID = 'homeroom-test';
const CLIENT_SECRET = randomBytes(24).toString('base64url');
const SECRET_REF = 'OIDC_CLIENT_SECRET_TEST_DISTRICT';

/** Where one school sign-in ended: the app's redirect (code or error), or the callback's own answer. */
interface Outcome {
  status: number;
  location: URL | null;
  body: string;
}

interface FlowOptions {
  /** Edits the provider's authorization URL before the browser follows it (an attacker in the middle). */
  editAuthorizationUrl?: (url: URL) => void;
  /** Edits the provider's redirect to the callback before the browser follows it. */
  editCallbackUrl?: (url: URL) => void;
  /** The callback arrives without the cookie the start set (another browser). */
  dropBindingCookie?: boolean;
}

/**
 * School sign-in (issue 12) end to end against a real OpenID provider (oidc-provider in a child
 * process): the browser is played with fetch, following each redirect by hand and keeping cookies.
 */
describe('school sign-in with OpenID Connect', () => {
  let database: TestDatabase;
  let db: Database;
  let api: RunningApi;
  let idp: TestIdentityProvider;
  let districtId: string;
  let schoolId: string;

  const apiJar = new Map<string, CookieJar>();

  /** Runs a sign-in for the provider's account `accountId` up to the callback's redirect. */
  async function signInThroughProvider(accountId: string, options: FlowOptions = {}): Promise<Outcome> {
    const browser = new CookieJar();
    const idpCookies = new CookieJar();
    const start = await fetch(
      `${api.baseUrl}/v1/auth/oidc/${districtId}/start?redirectUri=${encodeURIComponent(APP)}`,
      { redirect: 'manual' },
    );
    expect(start.status).toBe(302);
    browser.take(start);
    const authorization = new URL(start.headers.get('location')!);
    expect(authorization.origin).toBe(idp.issuer);
    options.editAuthorizationUrl?.(authorization);

    const toInteraction = await fetch(authorization, { redirect: 'manual' });
    idpCookies.take(toInteraction);
    const interaction = new URL(toInteraction.headers.get('location')!, idp.issuer);
    const login = await fetch(new URL(`${interaction.pathname}/login`, idp.issuer), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: idpCookies.header() },
      body: new URLSearchParams({ accountId }).toString(),
    });
    idpCookies.take(login);
    const resume = await fetch(new URL(login.headers.get('location')!, idp.issuer), {
      redirect: 'manual',
      headers: { cookie: idpCookies.header() },
    });
    const callback = new URL(resume.headers.get('location')!);
    expect(callback.href.startsWith(`${api.baseUrl}/v1/auth/oidc/callback?`)).toBe(true);
    options.editCallbackUrl?.(callback);
    apiJar.set(callback.href, browser);
    return followCallback(callback, options.dropBindingCookie ? new CookieJar() : browser);
  }

  async function followCallback(callback: URL, browser: CookieJar): Promise<Outcome> {
    const res = await fetch(callback, { redirect: 'manual', headers: { cookie: browser.header() } });
    const location = res.headers.get('location');
    return { status: res.status, location: location ? new URL(location) : null, body: await res.text() };
  }

  const exchange = (code: string) =>
    request<ErrorBody & { accessToken?: string; expiresIn?: number }>(
      api.baseUrl,
      'POST',
      '/v1/auth/oidc/exchange',
      {
        json: { code },
      },
    );

  /** The error the app is sent back with (and nothing else), or a failed expectation. */
  function appError(outcome: Outcome): string | null {
    expect(outcome.status).toBe(302);
    expect(outcome.location?.origin + outcome.location!.pathname).toBe(APP);
    expect(outcome.location!.searchParams.get('code')).toBeNull();
    return outcome.location!.searchParams.get('error');
  }

  async function lastOidcFailure() {
    const failures = (await auditEvents(db, districtId)).filter(
      (event) => event.action === 'login.failed' && (event.details as { method?: string }).method === 'oidc',
    );
    return failures.at(-1)?.details as Record<string, unknown> | undefined;
  }

  const sessionsOf = (userId: string) => rowsOf(db).session.count({ where: { userId } });

  async function rosterUser(
    overrides: Parameters<typeof createUser>[2] = {},
  ): Promise<TestUser & { email: string }> {
    const email = `pupil-${uniqueSuffix()}@school.test`;
    const user = await createUser(db, districtId, { role: 'student', schoolId, email, ...overrides });
    await idp.addAccounts({ [`idp-${user.id}`]: { email: overrides.email ?? email, email_verified: true } });
    return { ...user, email: overrides.email ?? email };
  }

  beforeAll(async () => {
    database = openTestDatabase();
    db = database.db;
    districtId = await createDistrict(db);
    schoolId = await createSchool(db, districtId);
    const apiPort = await freePort();
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    idp = await startIdentityProvider([
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [`${apiUrl}/v1/auth/oidc/callback`],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ]);
    const set = await homeroom([
      'oidc',
      'set',
      '--district',
      districtId,
      '--issuer',
      idp.issuer,
      '--client-id',
      CLIENT_ID,
      '--secret-ref',
      SECRET_REF,
      '--claim',
      'email',
      '--field',
      'email',
      '--redirect-uri',
      APP,
      '--password-signin',
      'off',
      '--roles',
      'student,guardian',
    ]);
    expect(set).toMatchObject({ code: 0 });
    api = await startApi(testApiConfig({ API_PUBLIC_URL: apiUrl, [SECRET_REF]: CLIENT_SECRET }), apiPort);
  });
  afterAll(async () => {
    await api?.close();
    await idp?.stop();
    await database?.close();
  });

  it('when a roster student signs in at the school provider, then the exchanged token works on /v1/me, and code and callback are single-use', async () => {
    const student = await rosterUser();
    const outcome = await signInThroughProvider(`idp-${student.id}`);

    expect(outcome.status).toBe(302);
    expect(outcome.location!.origin + outcome.location!.pathname).toBe(APP);
    const code = outcome.location!.searchParams.get('code')!;
    expect(code).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const stored = await rowsOf(db).oidcSignIn.findFirst({ where: { userId: student.id } });
    expect(stored?.exchangeCodeHash).not.toBe(code);

    const exchanged = await exchange(code);
    expect(exchanged.status).toBe(200);
    expect(exchanged.body.expiresIn).toBe(testApiConfig().ACCESS_TOKEN_TTL_SECONDS);
    const me = await request<{ id: string }>(api.baseUrl, 'GET', '/v1/me', {
      token: exchanged.body.accessToken,
    });
    expect({ status: me.status, id: me.body.id }).toEqual({ status: 200, id: student.id });
    const succeeded = (await auditEvents(db, districtId)).filter(
      (event) => event.action === 'login.succeeded' && event.actorId === student.id,
    );
    expect(succeeded.map((event) => event.details)).toEqual([{ method: 'oidc' }]);

    const again = await exchange(code);
    expect({ status: again.status, code: again.body.error.code }).toEqual({
      status: 401,
      code: 'INVALID_SIGN_IN_CODE',
    });
    const callbackUrl = [...apiJar.keys()].at(-1)!;
    const replay = await followCallback(new URL(callbackUrl), apiJar.get(callbackUrl)!);
    expect(appError(replay)).toBe('sign_in_expired');
    expect(await sessionsOf(student.id)).toBe(1);
  });

  it('when the id token names another audience, then the sign-in fails with id_token_rejected (aud) and no session', async () => {
    const student = await rosterUser();
    await idp.tamperNextIdToken({ aud: 'some-other-app' });
    expect(appError(await signInThroughProvider(`idp-${student.id}`))).toBe('id_token_rejected');
    expect(await lastOidcFailure()).toMatchObject({ reason: 'id_token_rejected', claim: 'aud' });
    expect(await sessionsOf(student.id)).toBe(0);
  });

  it('when the id token has expired, then the sign-in fails with id_token_rejected (exp) and no session', async () => {
    const student = await rosterUser();
    const now = Math.floor(Date.now() / 1000);
    await idp.tamperNextIdToken({ iat: now - 7200, exp: now - 3600 });
    expect(appError(await signInThroughProvider(`idp-${student.id}`))).toBe('id_token_rejected');
    expect(await lastOidcFailure()).toMatchObject({
      reason: 'id_token_rejected',
      check: 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED',
      claim: 'exp',
    });
    expect(await sessionsOf(student.id)).toBe(0);
  });

  it('when the nonce sent to the provider is not the one Homeroom stored, then id_token_rejected (nonce)', async () => {
    const student = await rosterUser();
    const outcome = await signInThroughProvider(`idp-${student.id}`, {
      editAuthorizationUrl: (url) => url.searchParams.set('nonce', 'nonce-of-another-sign-in-0123456789'),
    });
    expect(appError(outcome)).toBe('id_token_rejected');
    expect(await lastOidcFailure()).toMatchObject({ reason: 'id_token_rejected', claim: 'nonce' });
    expect(await sessionsOf(student.id)).toBe(0);
  });

  it('when the provider answers the callback with an error (the person declined), then idp_refused and no session', async () => {
    const student = await rosterUser();
    const outcome = await signInThroughProvider(`idp-${student.id}`, {
      editCallbackUrl: (url) => {
        url.searchParams.delete('code');
        url.searchParams.set('error', 'access_denied');
      },
    });
    expect(appError(outcome)).toBe('idp_refused');
    expect(await lastOidcFailure()).toMatchObject({ reason: 'idp_refused', check: 'access_denied' });
    expect(await sessionsOf(student.id)).toBe(0);
  });

  it('when the user is suspended between the callback and the exchange, then the exchange answers 403 ACCOUNT_SUSPENDED', async () => {
    const student = await rosterUser();
    const outcome = await signInThroughProvider(`idp-${student.id}`);
    const code = outcome.location!.searchParams.get('code')!;
    await db.forDistrict(districtId).users.suspend(student.id, student.id, new Date());
    const res = await exchange(code);
    expect({ status: res.status, code: res.body.error.code }).toEqual({
      status: 403,
      code: 'ACCOUNT_SUSPENDED',
    });
    expect(await sessionsOf(student.id)).toBe(0);
  });

  it('when the state is tampered with, then the callback answers 400 without redirecting anywhere', async () => {
    const student = await rosterUser();
    const outcome = await signInThroughProvider(`idp-${student.id}`, {
      editCallbackUrl: (url) => {
        const state = url.searchParams.get('state')!;
        url.searchParams.set('state', `${state.slice(0, -1)}${state.endsWith('A') ? 'B' : 'A'}`);
      },
    });
    expect({ status: outcome.status, location: outcome.location }).toEqual({ status: 400, location: null });
    expect((JSON.parse(outcome.body) as ErrorBody).error.code).toBe('VALIDATION_FAILED');
    expect(await sessionsOf(student.id)).toBe(0);
  });

  it('when the callback comes from a browser other than the one that started, then sign_in_not_bound', async () => {
    const student = await rosterUser();
    const outcome = await signInThroughProvider(`idp-${student.id}`, { dropBindingCookie: true });
    expect(appError(outcome)).toBe('sign_in_not_bound');
    expect(await sessionsOf(student.id)).toBe(0);
  });

  it('when the provider knows someone the roster does not, then user_not_found and no account is created', async () => {
    const email = `stranger-${uniqueSuffix()}@school.test`;
    await idp.addAccounts({ stranger: { email, email_verified: true } });
    const usersBefore = await rowsOf(db).user.count({ where: { districtId } });
    expect(appError(await signInThroughProvider('stranger'))).toBe('user_not_found');
    expect(await rowsOf(db).user.count({ where: { districtId } })).toBe(usersBefore);
  });

  it('when the roster user is suspended, deactivated, an admin or matched twice, then each fails with its own error and no session', async () => {
    const suspended = await rosterUser();
    await db.forDistrict(districtId).users.suspend(suspended.id, suspended.id, new Date());
    const deactivated = await rosterUser({ active: false });
    const admin = await rosterUser({ role: 'school_admin' });
    const shared = `twins-${uniqueSuffix()}@school.test`;
    const twin = await rosterUser({ email: shared });
    await createUser(db, districtId, { role: 'guardian', email: shared.toUpperCase() });

    expect(appError(await signInThroughProvider(`idp-${suspended.id}`))).toBe('account_suspended');
    expect(appError(await signInThroughProvider(`idp-${deactivated.id}`))).toBe('account_inactive');
    expect(appError(await signInThroughProvider(`idp-${admin.id}`))).toBe('admin_not_allowed');
    expect(appError(await signInThroughProvider(`idp-${twin.id}`))).toBe('ambiguous_user');
    for (const user of [suspended, deactivated, admin, twin]) expect(await sessionsOf(user.id)).toBe(0);
  });

  it('when redirectUri is not one the district registered, then 400 and no redirect', async () => {
    for (const redirectUri of [
      `${APP}/../evil`,
      `${APP}x`,
      'https://attacker.example/steal',
      `${APP}?next=1`,
    ]) {
      const res = await fetch(
        `${api.baseUrl}/v1/auth/oidc/${districtId}/start?redirectUri=${encodeURIComponent(redirectUri)}`,
        { redirect: 'manual' },
      );
      expect({ status: res.status, location: res.headers.get('location') }).toEqual({
        status: 400,
        location: null,
      });
      expect(((await res.json()) as ErrorBody).error.code).toBe('VALIDATION_FAILED');
    }
  });

  it('when the district turned password sign-in off for students, then a student gets 403 PASSWORD_SIGNIN_DISABLED and a teacher still signs in', async () => {
    const login = (user: { username: string; password: string }) =>
      request<ErrorBody & { accessToken?: string }>(api.baseUrl, 'POST', '/v1/auth/login', {
        json: { districtId, username: user.username, password: user.password },
        headers: { 'x-forwarded-for': randomClientAddress() },
      });
    const student = await createActiveUserWithPassword(db, districtId, { role: 'student', schoolId });
    const teacher = await createActiveUserWithPassword(db, districtId, { role: 'teacher', schoolId });

    const refused = await login(student);
    expect({ status: refused.status, code: refused.body.error.code }).toEqual({
      status: 403,
      code: 'PASSWORD_SIGNIN_DISABLED',
    });
    expect(await sessionsOf(student.id)).toBe(0);
    const wrongPassword = await login({ ...student, password: `${student.password}x` });
    expect(wrongPassword.body.error.code).toBe('INVALID_CREDENTIALS');
    expect((await login(teacher)).status).toBe(200);
  });

  it("when the district's secret variable is not in the API's environment, then start answers 503 and redirects nowhere", async () => {
    const other = await createDistrict(db);
    const set = await homeroom([
      ...['oidc', 'set', '--district', other, '--issuer', idp.issuer, '--client-id', CLIENT_ID],
      ...['--secret-ref', 'OIDC_CLIENT_SECRET_NOT_SET_ANYWHERE', '--claim', 'email', '--field', 'email'],
      ...['--redirect-uri', APP],
    ]);
    expect(set.code).toBe(0);
    const res = await fetch(
      `${api.baseUrl}/v1/auth/oidc/${other}/start?redirectUri=${encodeURIComponent(APP)}`,
      { redirect: 'manual' },
    );
    expect({ status: res.status, location: res.headers.get('location') }).toEqual({
      status: 503,
      location: null,
    });
    expect(((await res.json()) as ErrorBody).error.code).toBe('UNAVAILABLE');
  });

  it('when the OpenAPI document is read, then the three routes are public and list their error answers', async () => {
    const doc = await request<{
      paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
    }>(api.baseUrl, 'GET', '/docs/openapi.json');
    const operations = {
      start: doc.body.paths['/v1/auth/oidc/{districtId}/start']?.get,
      callback: doc.body.paths['/v1/auth/oidc/callback']?.get,
      exchange: doc.body.paths['/v1/auth/oidc/exchange']?.post,
    };
    // 400, 413 and 503 are what any route can answer (ApiCommonErrors).
    expect(Object.keys(operations.start?.responses ?? {}).sort()).toEqual([
      '302',
      '400',
      '404',
      '413',
      '503',
    ]);
    expect(Object.keys(operations.callback?.responses ?? {}).sort()).toEqual(['302', '400', '413', '503']);
    expect(Object.keys(operations.exchange?.responses ?? {}).sort()).toEqual([
      '200',
      '400',
      '401',
      '403',
      '413',
      '503',
    ]);
    for (const operation of Object.values(operations)) expect(operation?.security ?? []).toEqual([]);
  });

  it('when an operator sets school sign-in badly, then the CLI refuses it and names the problem', async () => {
    const base = ['oidc', 'set', '--district', districtId, '--client-id', CLIENT_ID, '--claim', 'email'];
    const cases: [string[], Record<string, string>, string][] = [
      [
        [
          '--issuer',
          'http://idp.example',
          '--secret-ref',
          SECRET_REF,
          '--field',
          'email',
          '--redirect-uri',
          APP,
        ],
        {},
        '--issuer must be an https URL',
      ],
      [
        ['--issuer', idp.issuer, '--secret-ref', SECRET_REF, '--field', 'email', '--redirect-uri', APP],
        { HOMEROOM_ENV: 'production' },
        '--issuer must be an https URL',
      ],
      [
        [
          '--issuer',
          idp.issuer,
          '--secret-ref',
          'API_SIGNING_KEY',
          '--field',
          'email',
          '--redirect-uri',
          APP,
        ],
        {},
        '--secret-ref must name an environment variable OIDC_CLIENT_SECRET_',
      ],
      [
        ['--issuer', idp.issuer, '--secret-ref', SECRET_REF, '--field', 'givenName', '--redirect-uri', APP],
        {},
        '--field must be email, username or sourcedId',
      ],
      [
        [
          ...['--issuer', idp.issuer, '--secret-ref', SECRET_REF, '--field', 'email', '--redirect-uri', APP],
          ...['--password-signin', 'off', '--roles', 'district_admin'],
        ],
        {},
        'admins always sign in with a password and TOTP',
      ],
    ];
    for (const [args, env, message] of cases) {
      const run = await homeroom([...base, ...args], env);
      expect({ code: run.code, stderr: run.stderr }).toEqual({
        code: 1,
        stderr: expect.stringContaining(message),
      });
    }
    const shown = await homeroom(['oidc', 'show', '--district', districtId]);
    expect(JSON.parse(shown.stdout)).toEqual({
      districtId,
      issuer: idp.issuer,
      clientId: CLIENT_ID,
      clientSecretRef: SECRET_REF,
      claim: 'email',
      userField: 'email',
      redirectUris: [APP],
      passwordSignInDisabledRoles: ['student', 'guardian'],
    });
    expect(shown.stdout).not.toContain(CLIENT_SECRET);
  });
});
