import { type Pool } from 'pg';
import { testApiConfig } from '../support/config';
import { createTestPool } from '../support/database';
import { request, type RunningApi, startApi } from '../support/http';
import { createDistrict, createUsers, signInAs } from '../support/roster-factory';

interface Settings {
  massChangeThresholdPercent: number;
  source: Record<string, string>;
  error?: { code: string; message: string };
}

/**
 * The roster source through `PUT /v1/admin/roster/settings`: a OneRoster REST source is stored where the
 * worker reads it (the secret only named), refused when its URLs or secret reference break the rules,
 * and removed again by going back to CSV; every change is audited.
 */
describe('roster settings: the OneRoster REST source', () => {
  let api: RunningApi;
  let pool: Pool;
  let districtId: string;
  let token: string;

  const put = (json: unknown) =>
    request<Settings>(api.baseUrl, 'PUT', '/v1/admin/roster/settings', { token, json });
  const get = () => request<Settings>(api.baseUrl, 'GET', '/v1/admin/roster/settings', { token });
  const stored = async () =>
    (
      await pool.query('SELECT base_url, secret_ref FROM roster_api_sources WHERE district_id = $1', [
        districtId,
      ])
    ).rows;
  const source = {
    kind: 'oneroster-api',
    baseUrl: 'http://127.0.0.1:9/ims/oneroster/v1p1',
    tokenUrl: 'http://127.0.0.1:9/oauth/token',
    clientId: 'homeroom',
    secretRef: 'env:ROSTER_API_SECRET_SPRINGFIELD',
  };

  beforeAll(async () => {
    pool = createTestPool();
    api = await startApi(testApiConfig());
    ({ districtId } = await createDistrict(pool));
    const [admin] = await createUsers(pool, districtId, 'district_admin', 1);
    token = await signInAs(pool, districtId, admin!.id);
  });
  afterAll(async () => {
    await api?.close();
    await pool?.end();
  });

  it('when an admin sets a REST source, then it is stored with the default schedule and read back; CSV removes it', async () => {
    const saved = await put({ massChangeThresholdPercent: 15, source });
    expect(saved.status).toBe(200);
    expect(saved.body).toEqual({
      massChangeThresholdPercent: 15,
      source: { ...source, schedule: '0 2 * * *' },
    });
    expect((await get()).body).toEqual(saved.body);
    expect(await stored()).toEqual([{ base_url: source.baseUrl, secret_ref: source.secretRef }]);

    const back = await put({ massChangeThresholdPercent: 15, source: { kind: 'csv' } });
    expect(back.body).toEqual({ massChangeThresholdPercent: 15, source: { kind: 'csv' } });
    expect(await stored()).toEqual([]);
    const { rows } = await pool.query(
      `SELECT count(*)::int AS n FROM audit_events WHERE district_id = $1 AND action = 'roster.settings.updated'`,
      [districtId],
    );
    expect(rows[0].n).toBe(2);
  });

  it('when the CSV source comes with null REST fields, then 400', async () => {
    const res = await put({ massChangeThresholdPercent: 15, source: { kind: 'csv', schedule: null } });
    expect([res.status, res.body.error?.code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it.each([
    ['a plain-http URL off loopback', { baseUrl: 'http://sis.example.org/ims/oneroster/v1p1' }],
    ['credentials in the token URL', { tokenUrl: 'https://user:pw@sis.example.org/token' }],
    ['a secret reference to another variable', { secretRef: 'env:DATABASE_URL' }],
    ['a schedule that is not cron', { schedule: 'every night' }],
    ['no client id', { clientId: undefined }],
    ['a null schedule', { schedule: null }],
    ['a null base URL', { baseUrl: null }],
  ])('when the REST source has %s, then 400 and nothing is stored', async (_what, change) => {
    const res = await put({ massChangeThresholdPercent: 15, source: { ...source, ...change } });
    expect([res.status, res.body.error?.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(await stored()).toEqual([]);
  });
});
