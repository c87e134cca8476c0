import { randomBytes, randomUUID } from 'node:crypto';
import { type Pool } from 'pg';
import { homeroom } from '../support/cli';
import { testApiConfig } from '../support/config';
import { createMigratedScratchDatabase, createTestPool, type ScratchDatabase } from '../support/database';
import { request, type RunningApi, startApi } from '../support/http';
import { createSectionFixture, type SectionFixture, signInAs } from '../support/roster-factory';

interface Page {
  items: { id: string; body: string }[];
  nextCursor: string | null;
}

/**
 * Message bodies are envelope-encrypted; rotating the master key re-wraps the data keys while the API
 * keeps serving. Runs in a database of its own: a rotation re-wraps every district's keys, which must
 * not disturb the suites sharing the test database.
 */
describe('message encryption at rest and master key rotation', () => {
  const oldKey = `rot-old:${randomBytes(32).toString('base64')}`;
  const newKey = `rot-new:${randomBytes(32).toString('base64')}`;
  let database: ScratchDatabase;
  let pool: Pool;
  let section: SectionFixture;
  let teacherToken: string;
  let conversationId: string;
  const apis: RunningApi[] = [];

  const keys = (masterKeys: string, active: string) => ({
    DATABASE_URL: database.url,
    MASTER_KEYS: masterKeys,
    ACTIVE_MASTER_KEY_ID: active,
  });
  const apiWith = async (env: Record<string, string>) => {
    const api = await startApi(testApiConfig(env));
    apis.push(api);
    return api;
  };
  const send = (api: RunningApi, body: string) =>
    request<{ id: string }>(api.baseUrl, 'POST', `/v1/conversations/${conversationId}/messages`, {
      token: teacherToken,
      json: { body },
    });
  const read = (api: RunningApi) =>
    request<Page>(api.baseUrl, 'GET', `/v1/conversations/${conversationId}/messages`, {
      token: teacherToken,
    });
  /** Every body in the conversation, newest first: traffic during a slow rotation spans several pages. */
  const readAll = async (api: RunningApi) => {
    const bodies: string[] = [];
    let cursor: string | null = null;
    do {
      const path: string = `/v1/conversations/${conversationId}/messages${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await request<Page>(api.baseUrl, 'GET', path, {
        token: teacherToken,
      });
      expect(page.status).toBe(200);
      bodies.push(...page.body.items.map((m) => m.body));
      cursor = page.body.nextCursor;
    } while (cursor);
    return bodies;
  };
  const masterKeyIds = async () =>
    (await pool.query('SELECT DISTINCT master_key_id FROM data_keys ORDER BY 1')).rows.map(
      (row: { master_key_id: string }) => row.master_key_id,
    );

  beforeAll(async () => {
    database = await createMigratedScratchDatabase('homeroom_keys');
    pool = createTestPool(database.url);
    section = await createSectionFixture(pool, { students: 1, guardiansPerStudent: 0 });
    teacherToken = await signInAs(pool, section.districtId, section.teachers[0]!.id);
  }, 60_000);

  afterAll(async () => {
    for (const api of apis) await api.close();
    await pool?.end();
    await database?.drop();
  });

  it('when messages are stored, then the raw table holds ciphertext only, and the API reads them back', async () => {
    const api = await apiWith(keys(oldKey, 'rot-old'));
    const opened = await request<{ id: string }>(api.baseUrl, 'POST', '/v1/conversations', {
      token: teacherToken,
      json: { participantId: section.students[0]!.id },
    });
    conversationId = opened.body.id;
    const marker = `plaintext-marker-${randomUUID()}`;

    expect((await send(api, `Before rotation ${marker}`)).status).toBe(201);

    const raw = await pool.query(
      `SELECT count(*)::int AS n FROM messages
       WHERE position(convert_to($1, 'UTF8') IN body_ciphertext) > 0 OR messages::text LIKE '%' || $1 || '%'`,
      [marker],
    );
    expect(raw.rows[0].n).toBe(0);
    const stored = await pool.query('SELECT data_key_id FROM messages WHERE conversation_id = $1', [
      conversationId,
    ]);
    expect(stored.rows).toHaveLength(1);
    expect(await masterKeyIds()).toEqual(['rot-old']);
    expect((await read(api)).body.items[0]!.body).toBe(`Before rotation ${marker}`);
  });

  it('when the master key is rotated while the API serves, then every request succeeds and old and new rows stay readable under the new key alone', async () => {
    const api = await apiWith(keys(`${oldKey},${newKey}`, 'rot-new'));
    const statuses: number[] = [];
    let rotating = true;
    const traffic = (async () => {
      for (let i = 0; rotating || i < 5; i++) {
        statuses.push((await send(api, `During rotation ${i}`)).status, (await read(api)).status);
      }
    })();

    const rotation = await homeroom(['keys', 'rotate'], keys(`${oldKey},${newKey}`, 'rot-new'));
    rotating = false;
    await traffic;

    expect(rotation).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(rotation.stdout)).toEqual({ activeKeyId: 'rot-new', reencrypted: 1 });
    expect(statuses.length).toBeGreaterThanOrEqual(10);
    expect(statuses.every((status) => status === 201 || status === 200)).toBe(true);
    expect(await masterKeyIds()).toEqual(['rot-new']);
    expect((await send(api, 'After rotation')).status).toBe(201);

    const retired = await apiWith(keys(newKey, 'rot-new'));
    const bodies = await readAll(retired);
    expect(bodies[0]).toBe('After rotation');
    expect(bodies.some((body) => body.startsWith('Before rotation'))).toBe(true);
    expect(bodies.filter((body) => body.startsWith('During rotation')).length).toBeGreaterThanOrEqual(5);
  });

  it('when the rotation is run again, then nothing is left to re-wrap', async () => {
    const again = await homeroom(['keys', 'rotate'], keys(newKey, 'rot-new'));

    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ activeKeyId: 'rot-new', reencrypted: 0 });
  });

  it('when the key configuration is broken, then the command names the variable and changes nothing', async () => {
    const broken = await homeroom(['keys', 'rotate'], keys(newKey, 'rot-missing'));

    expect(broken.code).toBe(78);
    expect(broken.stderr).toContain('ACTIVE_MASTER_KEY_ID');
    expect(broken.stdout).toBe('');
    expect(await masterKeyIds()).toEqual(['rot-new']);
  });
});
