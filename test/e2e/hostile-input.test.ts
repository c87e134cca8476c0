import { type Pool } from 'pg';
import { INPUT_LIMITS } from '../../apps/api/src/common/hostile-input.pipe';
import { testApiConfig } from '../support/config';
import { createTestPool } from '../support/database';
import { request, type RunningApi, startApi } from '../support/http';
import { createSectionFixture, createUsers, type SectionFixture, signInAs } from '../support/roster-factory';

interface ErrorBody {
  error: { code: string; message: string; details?: { field: string; message: string }[] };
}

/**
 * Request content is data (DESIGN.md invariant 9): names of unknown properties, control characters,
 * lone surrogates and absurd shapes are refused with 400 VALIDATION_FAILED before any handler runs,
 * quickly, and change nothing.
 */
describe('hostile request content', () => {
  let api: RunningApi;
  let pool: Pool;
  let section: SectionFixture;
  let teacherToken: string;
  let adminToken: string;
  let conversationId: string;

  const rowCounts = async () => {
    const { rows } = await pool.query<{ messages: string; audit: string; limits: string }>(
      `SELECT (SELECT count(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id
                WHERE c.district_id = $1) AS messages,
              (SELECT count(*) FROM audit_events WHERE district_id = $1) AS audit,
              (SELECT count(*) FROM rate_limit_counters WHERE key LIKE 'login:user:' || $1 || ':%') AS limits`,
      [section.districtId],
    );
    return rows[0];
  };

  const sendRaw = async (path: string, rawJson: string, token?: string) => {
    const started = performance.now();
    const res = await fetch(`${api.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: rawJson,
    });
    return { status: res.status, body: (await res.json()) as ErrorBody, ms: performance.now() - started };
  };

  beforeAll(async () => {
    pool = createTestPool();
    api = await startApi(testApiConfig());
    section = await createSectionFixture(pool, { students: 1 });
    teacherToken = await signInAs(pool, section.districtId, section.teachers[0]!.id);
    const [admin] = await createUsers(pool, section.districtId, 'district_admin', 1);
    adminToken = await signInAs(pool, section.districtId, admin!.id);
    const opened = await request<{ id: string }>(api.baseUrl, 'POST', '/v1/conversations', {
      token: teacherToken,
      json: { participantId: section.students[0]!.id },
    });
    conversationId = opened.body.id;
  });

  afterAll(async () => {
    await api?.close();
    await pool?.end();
  });

  describe.each(['(', '[', 'a)b', '\\', '(a+)+$', `${'('.repeat(30)}a*${')*'.repeat(30)}$`, '$&', '.*'])(
    'when an unknown property is named %j',
    (name) => {
      it('then sign-in and a message send answer 400 VALIDATION_FAILED quickly and store nothing', async () => {
        const before = await rowCounts();
        const login = await sendRaw(
          '/v1/auth/login',
          JSON.stringify({
            districtId: section.districtId,
            username: 'u',
            password: 'p',
            [name]: 'x'.repeat(40),
          }),
        );
        const send = await sendRaw(
          `/v1/conversations/${conversationId}/messages`,
          JSON.stringify({ body: 'hello', [name]: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!' }),
          teacherToken,
        );
        for (const res of [login, send]) {
          expect({ status: res.status, code: res.body.error.code }).toEqual({
            status: 400,
            code: 'VALIDATION_FAILED',
          });
          // The pattern-built message took seconds for a ten-character name; text handling takes microseconds.
          expect(res.ms).toBeLessThan(500);
        }
        expect(await rowCounts()).toEqual(before);
      });
    },
  );

  it.each([
    ['NUL', '\u0000'],
    ['a bell', '\u0007'],
    ['an escape', '\u001b[31m'],
    ['a lone high surrogate', '\ud800'],
    ['a lone low surrogate', 'x\udc00y'],
  ])('when a message body holds %s, then 400 names the field and nothing is stored', async (_what, text) => {
    const before = await rowCounts();
    const res = await sendRaw(
      `/v1/conversations/${conversationId}/messages`,
      JSON.stringify({ body: `hello ${text} there` }),
      teacherToken,
    );
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details).toEqual([{ field: 'body', message: expect.stringMatching(/^must/) }]);
    expect(await rowCounts()).toEqual(before);
  });

  it('when a message body holds tabs and line breaks, then it is sent as written', async () => {
    const body = 'Dear families,\r\n\tField trip on Friday.\n';
    const sent = await request<{ id: string }>(
      api.baseUrl,
      'POST',
      `/v1/conversations/${conversationId}/messages`,
      {
        token: teacherToken,
        json: { body },
      },
    );
    expect(sent.status).toBe(201);
    const page = await request<{ items: { id: string; body: string }[] }>(
      api.baseUrl,
      'GET',
      `/v1/conversations/${conversationId}/messages`,
      { token: teacherToken },
    );
    expect(page.body.items.find((m) => m.id === sent.body.id)?.body).toBe(body);
  });

  it.each([
    ['NUL in username', { username: 'teacher\u0000' }],
    ['a newline in username', { username: 'teacher\nadmin' }],
    ['NUL in password', { password: 'pass\u0000word' }],
    ['NUL in districtId', { districtId: '\u0000' }],
    ['a lone surrogate in username', { username: '\udfff' }],
  ])('when sign-in carries %s, then 400 and no attempt is counted or audited', async (_what, fields) => {
    const before = await rowCounts();
    const res = await sendRaw(
      '/v1/auth/login',
      JSON.stringify({
        districtId: section.districtId,
        username: 'someone',
        password: 'a password',
        ...fields,
      }),
    );
    expect({ status: res.status, code: res.body.error.code }).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
    });
    expect(await rowCounts()).toEqual(before);
  });

  it('when the body nests deeper than the limit, then 400; at the limit it reaches ordinary validation', async () => {
    const nest = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
    const tooDeep = await sendRaw('/v1/auth/login', nest(10_000));
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.body.error.message).toContain('nested too deeply');
    const atLimit = await sendRaw('/v1/auth/login', nest(INPUT_LIMITS.maxDepth - 1));
    expect(atLimit.status).toBe(400);
    expect(atLimit.body.error.message).not.toContain('nested too deeply');
  });

  it('when the body has thousands of keys, then 400 without echoing them', async () => {
    const keys = Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, i]));
    const res = await sendRaw('/v1/auth/login', JSON.stringify(keys));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('too many keys');
    expect(res.body.error.message.length).toBeLessThan(200);
  });

  it.each(['__proto__', 'constructor', 'prototype'])(
    'when the body has a property named %s, then 400',
    async (key) => {
      const res = await sendRaw(
        `/v1/conversations/${conversationId}/messages`,
        `{"body":"hi","${key}":{"isAdmin":true}}`,
        teacherToken,
      );
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    },
  );

  it('when a query value or a path segment holds control characters, then 400 before any query runs', async () => {
    const query = await request<ErrorBody>(api.baseUrl, 'GET', '/v1/admin/users?sourcedId=abc%00def', {
      token: adminToken,
    });
    const path = await request<ErrorBody>(api.baseUrl, 'GET', '/v1/conversations/%00/messages', {
      token: teacherToken,
    });
    const newline = await request<ErrorBody>(api.baseUrl, 'GET', '/v1/admin/users?sourcedId=a%0Ab', {
      token: adminToken,
    });
    for (const res of [query, path, newline]) {
      expect({ status: res.status, code: res.body.error.code }).toEqual({
        status: 400,
        code: 'VALIDATION_FAILED',
      });
    }
  });

  describe('cursors', () => {
    const messagesPage = (cursor: string) =>
      request<ErrorBody & { nextCursor: string | null }>(
        api.baseUrl,
        'GET',
        `/v1/conversations/${conversationId}/messages?cursor=${encodeURIComponent(cursor)}`,
        { token: teacherToken },
      );
    let cursor: string;

    beforeAll(async () => {
      for (let i = 0; i < 55; i++) {
        await request(api.baseUrl, 'POST', `/v1/conversations/${conversationId}/messages`, {
          token: teacherToken,
          json: { body: `page filler ${i}` },
        });
      }
      const first = await request<{ nextCursor: string | null }>(
        api.baseUrl,
        'GET',
        `/v1/conversations/${conversationId}/messages`,
        { token: teacherToken },
      );
      expect(first.body.nextCursor).toEqual(expect.any(String));
      cursor = first.body.nextCursor!;
    });

    it('when the next cursor is passed back as it is, then the next page answers 200', async () => {
      expect((await messagesPage(cursor)).status).toBe(200);
    });

    it('when the cursor payload is edited and re-encoded, then 400 VALIDATION_FAILED', async () => {
      const [payload, mac] = cursor.split('.');
      const decoded = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as { at: string };
      const edited = Buffer.from(JSON.stringify({ ...decoded, at: '2000-01-01T00:00:00.000Z' })).toString(
        'base64url',
      );
      const res = await messagesPage(`${edited}.${mac}`);
      expect({ status: res.status, code: res.body.error.code }).toEqual({
        status: 400,
        code: 'VALIDATION_FAILED',
      });
    });

    it('when a cursor of another API signing key or a hand-made one is sent, then 400', async () => {
      const other = await startApi(
        testApiConfig({ API_SIGNING_KEY: Buffer.alloc(32, 9).toString('base64') }),
      );
      try {
        const foreign = await request<{ nextCursor: string }>(
          other.baseUrl,
          'GET',
          `/v1/conversations/${conversationId}/messages`,
          { token: teacherToken },
        );
        expect(foreign.body.nextCursor).toEqual(expect.any(String));
        expect((await messagesPage(foreign.body.nextCursor)).status).toBe(400);
      } finally {
        await other.close();
      }
      const handMade = Buffer.from(JSON.stringify({ createdAt: new Date().toISOString() })).toString(
        'base64url',
      );
      expect((await messagesPage(handMade)).status).toBe(400);
    });

    it('when a cursor of one list is used on another list, then 400', async () => {
      const users = await request<ErrorBody>(
        api.baseUrl,
        'GET',
        `/v1/admin/users?cursor=${encodeURIComponent(cursor)}`,
        { token: adminToken },
      );
      expect({ status: users.status, code: users.body.error.code }).toEqual({
        status: 400,
        code: 'VALIDATION_FAILED',
      });
    });
  });
});
