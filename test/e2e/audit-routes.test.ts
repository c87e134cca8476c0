import { type Pool } from 'pg';
import { createTestPool } from '../support/database';
import { testApiConfig } from '../support/config';
import {
  createActiveUserWithPassword,
  createAdminWithTotp,
  createDistrict,
  openTestDatabase,
  signIn,
  type TestDatabase,
} from '../support/factories';
import { request, type RunningApi, startApi } from '../support/http';

interface AuditPage {
  items: { seq: string; action: string; actorId: string | null; details: unknown }[];
  nextCursor: string | null;
}

describe('audit log through the admin API', () => {
  let api: RunningApi;
  let test: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    api = await startApi(testApiConfig());
    test = openTestDatabase();
    pool = createTestPool();
  });
  afterAll(async () => {
    await api.close();
    await test.close();
    await pool.end();
  });

  async function districtWithAdmin() {
    const districtId = await createDistrict(test.db);
    const admin = await createAdminWithTotp(test.db, districtId);
    return { districtId, admin, token: await admin.signIn(api.baseUrl) };
  }

  it('when a district admin lists the log, then it sees its sign-in and the read is itself recorded', async () => {
    const { admin, token } = await districtWithAdmin();
    const first = await request<AuditPage>(api.baseUrl, 'GET', '/v1/admin/audit', { token });
    expect(first.status).toBe(200);
    expect(first.body.items.map((e) => e.action)).toContain('login.succeeded');
    expect(first.body.items.map((e) => e.seq)).toEqual(first.body.items.map((_, i) => String(i + 1)));

    const second = await request<AuditPage>(api.baseUrl, 'GET', '/v1/admin/audit', { token });
    expect(second.body.items.at(-1)).toMatchObject({ action: 'audit.read', actorId: admin.id });
  });

  it('when the chain is intact, then verify says ok; after an edit through SQL it names the row', async () => {
    const { districtId, token } = await districtWithAdmin();
    const ok = await request<{ ok: boolean; checked: number }>(api.baseUrl, 'GET', '/v1/admin/audit/verify', {
      token,
    });
    expect(ok.status).toBe(200);
    expect(ok.body.ok).toBe(true);
    expect(ok.body.checked).toBeGreaterThan(0);

    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL session_replication_role = replica');
      await client.query(`UPDATE audit_events SET actor_id = NULL WHERE district_id = $1 AND seq = 1`, [
        districtId,
      ]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    const broken = await request<{ ok: boolean; firstBrokenSeq: string }>(
      api.baseUrl,
      'GET',
      '/v1/admin/audit/verify',
      {
        token,
      },
    );
    expect(broken.body).toMatchObject({ ok: false, firstBrokenSeq: '1' });
  });

  it('when a teacher asks for the audit log, then the answer is 403', async () => {
    const districtId = await createDistrict(test.db);
    const teacher = await createActiveUserWithPassword(test.db, districtId, { role: 'teacher' });
    const token = await signIn(api.baseUrl, { ...teacher, districtId });
    for (const path of ['/v1/admin/audit', '/v1/admin/audit/verify']) {
      const res = await request<{ error: { code: string } }>(api.baseUrl, 'GET', path, { token });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
  });

  it('when an admin reads, then only its own district’s events come back', async () => {
    const a = await districtWithAdmin();
    const b = await districtWithAdmin();
    const page = await request<AuditPage>(api.baseUrl, 'GET', '/v1/admin/audit', { token: a.token });
    expect(page.body.items.every((e) => e.actorId !== b.admin.id)).toBe(true);
  });

  it('when the cursor is not one we issued, then the answer is 400', async () => {
    const { token } = await districtWithAdmin();
    const res = await request(api.baseUrl, 'GET', '/v1/admin/audit?cursor=not-a-cursor', { token });
    expect(res.status).toBe(400);
  });
});
