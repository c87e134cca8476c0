import { type Database } from '../../libs/db/database';
import { type ApiStack, startApiStack } from '../support/api-stack';
import {
  createActiveUserWithPassword,
  createDistrict,
  signIn,
  type TestDatabase,
  type TestUserWithPassword,
} from '../support/factories';
import { request, type RunningApi } from '../support/http';

interface Profile {
  id: string;
  districtId: string;
  role: string;
  givenName: string;
  familyName: string;
  preferredLanguage: string;
}

describe('the caller’s profile (GET/PATCH /v1/me)', () => {
  let stack: ApiStack;
  let api: RunningApi;
  let database: TestDatabase;
  let db: Database;
  let guardian: TestUserWithPassword;
  let token: string;

  beforeAll(async () => {
    stack = await startApiStack();
    ({ api, database } = stack);
    db = database.db;
  });
  afterAll(() => stack?.stop());
  beforeEach(async () => {
    const districtId = await createDistrict(db);
    guardian = await createActiveUserWithPassword(db, districtId, { role: 'guardian', givenName: 'Ana' });
    token = await signIn(api.baseUrl, guardian);
  });

  const patch = (json: unknown) =>
    request<Profile & { error: { code: string; message: string } }>(api.baseUrl, 'PATCH', '/v1/me', {
      token,
      json,
    });
  const storedLanguage = async () =>
    (await db.forDistrict(guardian.districtId).users.findProfile(guardian.id))?.preferredLanguage;

  it('when a signed-in user asks, then they get exactly their profile fields', async () => {
    const res = await request<Profile>(api.baseUrl, 'GET', '/v1/me', { token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: guardian.id,
      districtId: guardian.districtId,
      role: 'guardian',
      givenName: 'Ana',
      familyName: guardian.familyName,
      preferredLanguage: 'en',
    });
  });

  it('when nobody is signed in, then 401', async () => {
    expect((await request(api.baseUrl, 'GET', '/v1/me')).status).toBe(401);
    expect(
      (await request(api.baseUrl, 'PATCH', '/v1/me', { json: { preferredLanguage: 'es' } })).status,
    ).toBe(401);
  });

  it.each(['es', 'zh-TW', 'fa-AF', 'so', 'ht', 'en'])(
    'when the preferred language is set to %s, then the profile and the database say so',
    async (code) => {
      const res = await patch({ preferredLanguage: code });
      expect(res.status).toBe(200);
      expect(res.body).toEqual(expect.objectContaining({ id: guardian.id, preferredLanguage: code }));
      expect(await storedLanguage()).toBe(code);
      expect((await request<Profile>(api.baseUrl, 'GET', '/v1/me', { token })).body.preferredLanguage).toBe(
        code,
      );
    },
  );

  it.each([
    ['an unknown code', { preferredLanguage: 'xx' }],
    ['a wrongly cased code', { preferredLanguage: 'ZH-tw' }],
    ['a language name', { preferredLanguage: 'Spanish' }],
    ['an empty string', { preferredLanguage: '' }],
    ['a number', { preferredLanguage: 7 }],
    ['no field', {}],
    ['an extra field', { preferredLanguage: 'es', role: 'district_admin' }],
  ])('when the body has %s, then 400 VALIDATION_FAILED and nothing changes', async (_case, body) => {
    const res = await patch(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(await storedLanguage()).toBe('en');
  });
});
