import { randomUUID } from 'node:crypto';
import { type Pool } from 'pg';
import { type AppStack, startAppStack } from '../support/api-stack';
import { waitForDelivery } from '../support/announcements';
import { testApiConfig } from '../support/config';
import { createTestPool } from '../support/database';
import { request, type RunningApi, startApi } from '../support/http';
import { freePort } from '../support/processes';
import { createSectionFixture, type SectionFixture, signInAs } from '../support/roster-factory';
import { attachmentTestEnv, removeTestStorage, upload } from '../support/attachments';

/**
 * Issue 11: a message send (and an announcement reply) retried with the same Idempotency-Key is
 * stored once and answered with the same message; the key cannot be reused for another message, is
 * validated, and is scoped to its sender. And a dependency that is down is a 503 with Retry-After.
 */

interface ErrorBody {
  error: { code: string; message: string };
}
interface Page {
  items: { id: string; body: string; senderId: string; attachments: { id: string }[] }[];
}

describe('Idempotency-Key on message sends', () => {
  const env = attachmentTestEnv('msg-idem');
  let stack: AppStack;
  let api: RunningApi;
  let pool: Pool;
  let section: SectionFixture;
  let teacherToken: string;
  let studentToken: string;
  let conversationId: string;
  let otherConversationId: string;

  const send = (token: string, conversation: string, json: unknown, key?: string) =>
    request<{ id: string } & Partial<ErrorBody>>(
      api.baseUrl,
      'POST',
      `/v1/conversations/${conversation}/messages`,
      { token, json, headers: key === undefined ? {} : { 'idempotency-key': key } },
    );
  const storedCount = async (messageId: string) =>
    Number(
      (await pool.query<{ n: string }>('SELECT count(*) AS n FROM messages WHERE id = $1', [messageId]))
        .rows[0]!.n,
    );
  const messagesIn = async (conversation: string) =>
    Number(
      (
        await pool.query<{ n: string }>('SELECT count(*) AS n FROM messages WHERE conversation_id = $1', [
          conversation,
        ])
      ).rows[0]!.n,
    );

  beforeAll(async () => {
    stack = await startAppStack({ overrides: env.overrides });
    ({ api, pool } = stack);
    section = await createSectionFixture(pool, { students: 2 });
    teacherToken = await signInAs(pool, section.districtId, section.teachers[0]!.id);
    studentToken = await signInAs(pool, section.districtId, section.students[0]!.id);
    const open = async (participantId: string) =>
      (
        await request<{ id: string }>(api.baseUrl, 'POST', '/v1/conversations', {
          token: teacherToken,
          json: { participantId },
        })
      ).body.id;
    conversationId = await open(section.students[0]!.id);
    otherConversationId = await open(section.students[1]!.id);
  });

  afterAll(async () => {
    await stack?.stop();
    removeTestStorage(env);
  });

  it('when a send is retried with the same key, then every answer is 201 with the same id and one message is stored', async () => {
    const key = `send-${randomUUID()}`;
    const body = { body: `Field trip forms are due ${randomUUID()}` };
    const first = await send(teacherToken, conversationId, body, key);
    const retries = await Promise.all(
      Array.from({ length: 4 }, () => send(teacherToken, conversationId, body, key)),
    );

    expect(first.status).toBe(201);
    for (const retry of retries) expect(retry).toMatchObject({ status: 201, body: { id: first.body.id } });
    expect(await storedCount(first.body.id)).toBe(1);
    const page = await request<Page>(api.baseUrl, 'GET', `/v1/conversations/${conversationId}/messages`, {
      token: studentToken,
    });
    expect(page.body.items.filter((m) => m.body === body.body)).toEqual([
      expect.objectContaining({ id: first.body.id, senderId: section.teachers[0]!.id }),
    ]);
  });

  it('when sends carry no key, then each is a message of its own', async () => {
    const body = { body: `Reminder ${randomUUID()}` };
    const a = await send(teacherToken, conversationId, body);
    const b = await send(teacherToken, conversationId, body);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.id).not.toBe(b.body.id);
  });

  it('when a key is reused for another body or conversation, then it is 409 IDEMPOTENCY_KEY_REUSED and nothing is stored', async () => {
    const key = `reuse-${randomUUID()}`;
    const first = await send(teacherToken, conversationId, { body: 'Original text' }, key);
    expect(first.status).toBe(201);
    const before = [await messagesIn(conversationId), await messagesIn(otherConversationId)];

    const otherBody = await send(teacherToken, conversationId, { body: 'Edited text' }, key);
    const otherConversation = await send(teacherToken, otherConversationId, { body: 'Original text' }, key);

    for (const refused of [otherBody, otherConversation]) {
      expect(refused.status).toBe(409);
      expect(refused.body.error?.code).toBe('IDEMPOTENCY_KEY_REUSED');
    }
    expect([await messagesIn(conversationId), await messagesIn(otherConversationId)]).toEqual(before);
    const page = await request<Page>(api.baseUrl, 'GET', `/v1/conversations/${conversationId}/messages`, {
      token: teacherToken,
    });
    expect(page.body.items.find((m) => m.id === first.body.id)?.body).toBe('Original text');
  });

  it('when a send with attachments is retried, then the links are stored once; without them the key is refused', async () => {
    const uploaded = await upload(api.baseUrl, teacherToken, Buffer.from('Permission slip\n'), 'slip.txt');
    expect(uploaded.status).toBe(202);
    const key = `attach-${randomUUID()}`;
    const body = { body: 'The slip is attached', attachmentIds: [uploaded.body.id!] };

    const first = await send(teacherToken, conversationId, body, key);
    const retry = await send(teacherToken, conversationId, body, key);
    const withoutAttachment = await send(teacherToken, conversationId, { body: body.body }, key);

    expect(first.status).toBe(201);
    expect(retry).toMatchObject({ status: 201, body: { id: first.body.id } });
    expect(withoutAttachment.status).toBe(409);
    const { rows } = await pool.query('SELECT attachment_id FROM message_attachments WHERE message_id = $1', [
      first.body.id,
    ]);
    expect(rows).toEqual([{ attachment_id: uploaded.body.id }]);
  });

  it("when another sender uses the same key, then they get a message of their own and learn nothing of the first sender's", async () => {
    const key = `shared-${randomUUID()}`;
    const teacherSend = await send(teacherToken, conversationId, { body: 'From the teacher' }, key);
    const studentSend = await send(studentToken, conversationId, { body: 'From the student' }, key);
    const studentSameBody = await send(studentToken, conversationId, { body: 'From the student' }, key);

    expect(teacherSend.status).toBe(201);
    expect(studentSend.status).toBe(201);
    expect(studentSend.body.id).not.toBe(teacherSend.body.id);
    expect(studentSameBody).toMatchObject({ status: 201, body: { id: studentSend.body.id } });
    expect(await storedCount(teacherSend.body.id)).toBe(1);
    expect(await storedCount(studentSend.body.id)).toBe(1);
  });

  it.each([
    ['empty', ''],
    ['too long', 'k'.repeat(201)],
    ['with a space', 'a b'],
    ['with a slash', 'key/1'],
    ['with regex metacharacters', '(a+)+$'],
    ['with a non-ASCII letter', 'cl\u00e9'],
  ])('when the key is %s, then it is 400 VALIDATION_FAILED and nothing is stored', async (_, key) => {
    const before = await messagesIn(conversationId);
    const res = await send(teacherToken, conversationId, { body: 'Hello' }, key);
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe('VALIDATION_FAILED');
    expect(await messagesIn(conversationId)).toBe(before);
  });

  it('when the longest allowed key is used, then it is accepted', async () => {
    const res = await send(
      teacherToken,
      conversationId,
      { body: 'Hello' },
      `${randomUUID()}.`.padEnd(200, 'k'),
    );
    expect(res.status).toBe(201);
  });

  it('when an announcement reply is retried with the same key, then it is stored once; another body is 409', async () => {
    const posted = await request<{ id: string }>(
      api.baseUrl,
      'POST',
      `/v1/sections/${section.sectionId}/announcements`,
      { token: teacherToken, json: { body: 'Questions about the trip?' } },
    );
    expect(posted.status).toBe(202);
    await waitForDelivery(api.baseUrl, teacherToken, posted.body.id, 20_000);
    const reply = (json: unknown, key: string) =>
      request<{ conversationId: string; messageId: string } & Partial<ErrorBody>>(
        api.baseUrl,
        'POST',
        `/v1/announcements/${posted.body.id}/replies`,
        { token: studentToken, json, headers: { 'idempotency-key': key } },
      );
    const key = `reply-${randomUUID()}`;

    const first = await reply({ body: 'Do we need lunch money?' }, key);
    const retry = await reply({ body: 'Do we need lunch money?' }, key);
    const changed = await reply({ body: 'Do we need a jacket?' }, key);

    expect(first.status).toBe(201);
    expect(retry).toMatchObject({ status: 201, body: first.body });
    expect(changed.status).toBe(409);
    expect(changed.body.error?.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await storedCount(first.body.messageId)).toBe(1);
  });
});

describe('a dependency that is down', () => {
  let pool: Pool;
  let token: string;
  let section: SectionFixture;

  beforeAll(async () => {
    pool = createTestPool();
    section = await createSectionFixture(pool, { students: 1, guardiansPerStudent: 0 });
    token = await signInAs(pool, section.districtId, section.teachers[0]!.id);
  });

  afterAll(async () => {
    await pool?.end();
  });

  it('when PostgreSQL does not answer, then requests are 503 UNAVAILABLE with Retry-After, never 500', async () => {
    const unreachable = new URL(testApiConfig().DATABASE_URL);
    unreachable.port = String(await freePort());
    const api = await startApi(testApiConfig({ DATABASE_URL: unreachable.toString() }));
    try {
      const answers = await Promise.all([
        request<ErrorBody>(api.baseUrl, 'GET', '/v1/conversations', { token }),
        request<ErrorBody>(api.baseUrl, 'POST', `/v1/conversations/${randomUUID()}/messages`, {
          token,
          json: { body: 'Hello' },
          headers: { 'idempotency-key': 'k-1' },
        }),
        request<ErrorBody>(api.baseUrl, 'POST', '/v1/auth/login', {
          json: { districtId: randomUUID(), username: 'someone', password: 'not-the-password-1' },
        }),
      ]);
      for (const answer of answers) {
        expect(answer.status).toBe(503);
        expect(answer.headers.get('retry-after')).toBe('2');
        expect(answer.body.error).toEqual({
          code: 'UNAVAILABLE',
          message: expect.any(String),
          correlationId: expect.any(String),
        });
        expect(answer.body.error.message).not.toMatch(/postgres|prisma|ECONN|127\.0\.0\.1/i);
      }
    } finally {
      await api.close();
    }
  });

  it('when Temporal does not answer, then uploads and announcements are 503 with Retry-After, and a send to another language is stored without waiting on Temporal', async () => {
    const env = attachmentTestEnv('msg-idem-temporal', { TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` });
    const api = await startApi(testApiConfig(env.overrides));
    try {
      const form = new FormData();
      form.append('file', new Blob(['Notes\n'], { type: 'text/plain' }), 'notes.txt');
      const uploaded = await fetch(`${api.baseUrl}/v1/attachments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: form,
      });
      const announced = await request<ErrorBody>(
        api.baseUrl,
        'POST',
        `/v1/sections/${section.sectionId}/announcements`,
        { token, json: { body: 'Picture day' }, headers: { 'idempotency-key': `ann-${randomUUID()}` } },
      );
      for (const answer of [
        {
          status: uploaded.status,
          retryAfter: uploaded.headers.get('retry-after'),
          body: await uploaded.json(),
        },
        { status: announced.status, retryAfter: announced.headers.get('retry-after'), body: announced.body },
      ]) {
        expect(answer).toEqual({
          status: 503,
          retryAfter: '2',
          body: { error: expect.objectContaining({ code: 'UNAVAILABLE' }) },
        });
      }

      await pool.query(`UPDATE users SET preferred_language = 'es' WHERE id = $1`, [section.students[0]!.id]);
      const opened = await request<{ id: string }>(api.baseUrl, 'POST', '/v1/conversations', {
        token,
        json: { participantId: section.students[0]!.id },
      });
      // Bounded well below the Temporal client's own retries of an unreachable server (about 20 s).
      const sent = await fetch(`${api.baseUrl}/v1/conversations/${opened.body.id}/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ body: 'Welcome to the class' }),
        signal: AbortSignal.timeout(8_000),
      });
      expect(sent.status).toBe(201);
    } finally {
      await api.close();
      removeTestStorage(env);
    }
  });
});
