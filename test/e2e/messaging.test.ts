import { randomUUID } from 'node:crypto';
import { type Pool } from 'pg';
import { testApiConfig } from '../support/config';
import { createTestPool } from '../support/database';
import { request, type RunningApi, startApi } from '../support/http';
import {
  createSection,
  createSectionFixture,
  createUsers,
  type SectionFixture,
  signInAs,
} from '../support/roster-factory';

interface Conversation {
  id: string;
  participants: string[];
  lastMessageAt: string;
}
interface Message {
  id: string;
  senderId: string;
  body: string;
  createdAt: string;
  readAt: string | null;
  attachments: unknown[];
}
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
interface ErrorBody {
  error: { code: string; message: string };
}

describe('conversations and messages', () => {
  let api: RunningApi;
  let pool: Pool;
  let section: SectionFixture;
  let teacher: { id: string; token: string };
  let student: { id: string; token: string };
  let guardian: { id: string; token: string };
  let classmate: { id: string; token: string };
  let admin: { id: string; token: string };

  const call = <T>(token: string, method: string, path: string, json?: unknown) =>
    request<T>(api.baseUrl, method, path, { token, json });
  const open = (token: string, participantId: string) =>
    call<Conversation>(token, 'POST', '/v1/conversations', { participantId });
  const send = (token: string, conversationId: string, body: string) =>
    call<{ id: string }>(token, 'POST', `/v1/conversations/${conversationId}/messages`, { body });
  const page = (token: string, conversationId: string, cursor?: string) =>
    call<Page<Message>>(
      token,
      'GET',
      `/v1/conversations/${conversationId}/messages${cursor ? `?cursor=${cursor}` : ''}`,
    );

  beforeAll(async () => {
    pool = createTestPool();
    api = await startApi(testApiConfig());
    section = await createSectionFixture(pool, { students: 3 });
    const person = async (id: string) => ({ id, token: await signInAs(pool, section.districtId, id) });
    teacher = await person(section.teachers[0]!.id);
    student = await person(section.students[0]!.id);
    classmate = await person(section.students[1]!.id);
    guardian = await person(section.guardians[0]!.id);
    const [districtAdmin] = await createUsers(pool, section.districtId, 'district_admin', 1);
    admin = await person(districtAdmin!.id);
  });

  afterAll(async () => {
    await api?.close();
    await pool?.end();
  });

  it('when the policy allows the pair, then a conversation is created once and returned after', async () => {
    const created = await open(teacher.token, student.id);
    const again = await open(student.token, teacher.id);
    const withGuardian = await open(teacher.token, guardian.id);

    expect(created.status).toBe(201);
    expect(created.body.participants.sort()).toEqual([teacher.id, student.id].sort());
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(created.body.id);
    expect(withGuardian.status).toBe(201);
  });

  it('when the policy denies the pair, then the answer is 403 and nothing is created', async () => {
    const [stranger] = await createUsers(pool, section.districtId, 'student', 1, section.schoolId);
    await createSection(pool, section.districtId, section.schoolId, { students: [stranger!] });

    const denied = [
      await open(student.token, classmate.id),
      await open(student.token, stranger!.id),
      await open(guardian.token, classmate.id),
    ];

    for (const res of denied) {
      expect(res.status).toBe(403);
      expect((res.body as unknown as ErrorBody).error.code).toBe('FORBIDDEN');
    }
    const rows = await pool.query(
      'SELECT count(*)::int AS n FROM conversations WHERE participant_low_id = ANY($1) AND participant_high_id = ANY($1)',
      [[student.id, classmate.id, stranger!.id]],
    );
    expect(rows.rows[0].n).toBe(0);
  });

  it('when someone of another district is named, then the answer is 404', async () => {
    const foreign = await createSectionFixture(pool, { students: 1 });

    const res = await open(teacher.token, foreign.students[0]!.id);

    expect(res.status).toBe(404);
  });

  it('when messages are sent, then both participants read them newest first, decrypted, and outsiders get 404', async () => {
    const { body: conversation } = await open(teacher.token, student.id);
    const first = await send(teacher.token, conversation.id, 'Hello, please bring your book.');
    const second = await send(student.token, conversation.id, 'I will!');

    expect(first.status).toBe(201);
    for (const token of [teacher.token, student.token]) {
      const res = await page(token, conversation.id);
      expect(res.status).toBe(200);
      expect(res.body.items.slice(0, 2).map((m) => [m.id, m.senderId, m.body])).toEqual([
        [second.body.id, student.id, 'I will!'],
        [first.body.id, teacher.id, 'Hello, please bring your book.'],
      ]);
    }
    for (const token of [classmate.token, guardian.token]) {
      expect((await page(token, conversation.id)).status).toBe(404);
      expect((await send(token, conversation.id, 'let me in')).status).toBe(404);
    }
  });

  it('when a body is blank or longer than 10,000 characters, then the answer is 400 and nothing is stored', async () => {
    const { body: conversation } = await open(teacher.token, guardian.id);
    const count = async () =>
      (
        await pool.query('SELECT count(*)::int AS n FROM messages WHERE conversation_id = $1', [
          conversation.id,
        ])
      ).rows[0].n as number;
    const before = await count();

    for (const body of ['', ' \n ', 'x'.repeat(10_001)]) {
      const res = await send(teacher.token, conversation.id, body);
      expect(res.status).toBe(400);
      expect((res.body as unknown as ErrorBody).error.code).toBe('VALIDATION_FAILED');
    }
    expect(await count()).toBe(before);
    expect((await send(teacher.token, conversation.id, '😀'.repeat(10_000))).status).toBe(201);
  });

  it('when a message is sent, then its conversation moves to the top of both inboxes', async () => {
    const { body: withStudent } = await open(teacher.token, student.id);
    const { body: withGuardian } = await open(teacher.token, guardian.id);
    await send(teacher.token, withGuardian.id, 'first');
    await send(student.token, withStudent.id, 'latest');

    const inbox = await call<Page<Conversation>>(teacher.token, 'GET', '/v1/conversations');

    expect(inbox.body.items.map((c) => c.id).slice(0, 2)).toEqual([withStudent.id, withGuardian.id]);
  });

  it('when pages are read while new messages arrive, then every earlier message is seen exactly once, in order', async () => {
    const { body: conversation } = await open(teacher.token, classmate.id);
    const sent: string[] = [];
    for (let i = 0; i < 120; i++)
      sent.push((await send(i % 2 ? classmate.token : teacher.token, conversation.id, `m${i}`)).body.id);

    const seen: string[] = [];
    let cursor: string | undefined;
    let arriving = 0;
    do {
      const res = await page(teacher.token, conversation.id, cursor);
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((m) => m.id));
      cursor = res.body.nextCursor ?? undefined;
      await Promise.all([
        send(classmate.token, conversation.id, `late ${arriving++}`),
        send(teacher.token, conversation.id, `late ${arriving++}`),
      ]);
    } while (cursor);

    const stored = await pool.query(
      'SELECT id FROM messages WHERE id = ANY($1) ORDER BY created_at DESC, id DESC',
      [sent],
    );
    expect(seen).toEqual(stored.rows.map((row: { id: string }) => row.id));
  });

  it('when the cursor is malformed, then the answer is 400', async () => {
    const { body: conversation } = await open(teacher.token, student.id);

    const res = await page(teacher.token, conversation.id, 'not-a-cursor');

    expect(res.status).toBe(400);
  });

  it('when the recipient marks a message read, then the sender sees when; the sender marking it changes nothing', async () => {
    const { body: conversation } = await open(teacher.token, student.id);
    const { body: sent } = await send(teacher.token, conversation.id, `Read receipt ${randomUUID()}`);
    const readAt = async () =>
      (await page(teacher.token, conversation.id)).body.items.find((m) => m.id === sent.id)?.readAt;

    expect((await call(teacher.token, 'POST', `/v1/messages/${sent.id}/read`)).status).toBe(204);
    expect(await readAt()).toBeNull();
    expect((await call(student.token, 'POST', `/v1/messages/${sent.id}/read`)).status).toBe(204);
    const first = await readAt();
    expect(first).toEqual(expect.any(String));
    expect((await call(student.token, 'POST', `/v1/messages/${sent.id}/read`)).status).toBe(204);
    expect(await readAt()).toBe(first);
    expect((await call(classmate.token, 'POST', `/v1/messages/${sent.id}/read`)).status).toBe(404);
  });

  it('when a recipient reports a message, then an alert for the admins and an audit event are recorded', async () => {
    const { body: conversation } = await open(teacher.token, student.id);
    const { body: sent } = await send(teacher.token, conversation.id, 'Something inappropriate');

    const res = await call<{ id: string }>(student.token, 'POST', `/v1/messages/${sent.id}/report`, {
      reason: 'This made me uncomfortable',
    });

    expect(res.status).toBe(201);
    const alerts = await pool.query(
      'SELECT kind, severity, details FROM security_alerts WHERE message_id = $1 AND district_id = $2',
      [sent.id, section.districtId],
    );
    expect(alerts.rows).toEqual([
      {
        kind: 'message_reported',
        severity: 'high',
        details: { reportId: res.body.id, reporterId: student.id },
      },
    ]);
    const audit = await pool.query(
      `SELECT actor_id, target_id FROM audit_events WHERE district_id = $1 AND action = 'message.reported'`,
      [section.districtId],
    );
    expect(audit.rows).toContainEqual({ actor_id: student.id, target_id: sent.id });
    const own = await call(teacher.token, 'POST', `/v1/messages/${sent.id}/report`, { reason: 'mine' });
    expect(own.status).toBe(400);
    const outsider = await call(classmate.token, 'POST', `/v1/messages/${sent.id}/report`, { reason: 'x' });
    expect(outsider.status).toBe(404);
  });

  it('when anyone tries to delete a message, then there is no such route', async () => {
    const { body: conversation } = await open(teacher.token, student.id);
    const { body: sent } = await send(teacher.token, conversation.id, 'permanent');

    for (const path of [
      `/v1/messages/${sent.id}`,
      `/v1/conversations/${conversation.id}/messages/${sent.id}`,
    ]) {
      expect((await call(teacher.token, 'DELETE', path)).status).toBe(404);
    }
    expect((await page(student.token, conversation.id)).body.items.map((m) => m.id)).toContain(sent.id);
  });

  it('when a district admin reviews a conversation, then each read is an audit event; others are refused', async () => {
    const { body: conversation } = await open(teacher.token, guardian.id);
    await send(guardian.token, conversation.id, 'Review me');
    const reviews = async () =>
      (
        await pool.query(
          `SELECT count(*)::int AS n FROM audit_events
           WHERE district_id = $1 AND action = 'conversation.reviewed' AND target_id = $2 AND actor_id = $3`,
          [section.districtId, conversation.id, admin.id],
        )
      ).rows[0].n as number;

    const first = await call<Page<Message>>(
      admin.token,
      'GET',
      `/v1/admin/conversations/${conversation.id}/messages`,
    );
    const second = await call<Page<Message>>(
      admin.token,
      'GET',
      `/v1/admin/conversations/${conversation.id}/messages`,
    );

    expect(first.status).toBe(200);
    expect(first.body.items[0]).toMatchObject({ senderId: guardian.id, body: 'Review me' });
    expect(second.status).toBe(200);
    expect(await reviews()).toBe(2);
    for (const token of [teacher.token, guardian.token, student.token]) {
      const res = await call(token, 'GET', `/v1/admin/conversations/${conversation.id}/messages`);
      expect(res.status).toBe(403);
    }
    expect((await call(admin.token, 'GET', `/v1/admin/conversations/${randomUUID()}/messages`)).status).toBe(
      404,
    );
  });

  it('when a student leaves the section, then their conversation with the teacher closes at once', async () => {
    const leaver = await createSectionFixture(pool, { students: 1, guardiansPerStudent: 0 });
    const t = {
      id: leaver.teachers[0]!.id,
      token: await signInAs(pool, leaver.districtId, leaver.teachers[0]!.id),
    };
    const s = {
      id: leaver.students[0]!.id,
      token: await signInAs(pool, leaver.districtId, leaver.students[0]!.id),
    };
    const { body: conversation } = await open(t.token, s.id);
    expect((await send(t.token, conversation.id, 'before')).status).toBe(201);

    await pool.query('DELETE FROM section_memberships WHERE user_id = $1', [s.id]);

    expect((await send(t.token, conversation.id, 'after')).status).toBe(403);
    expect((await page(s.token, conversation.id)).status).toBe(403);
  });
});
