import { randomUUID } from 'node:crypto';
import { type Pool } from 'pg';
import { TemporalClientService } from '../../apps/api/src/temporal/temporal-client.service';
import { ANNOUNCEMENT_ID, DISTRICT_ID } from '../../libs/adapters/temporal/workflow-safe/search-attributes';
import { announcementProgressQuery } from '../../workflows/announcement-fan-out.workflow';
import { testApiConfig, testWorkerConfig } from '../support/config';
import { createTestPool } from '../support/database';
import { request, type RunningApi, startApi } from '../support/http';
import { waitFor } from '../support/processes';
import {
  createSection,
  createSectionFixture,
  createUsers,
  linkGuardians,
  type SectionFixture,
  signInAs,
  signInMany,
} from '../support/roster-factory';
import { startTestWorkers, type TestWorkers } from '../support/workers';

interface Posted {
  id: string;
  workflowId: string;
  status: string;
}
interface AnnouncementBody {
  id: string;
  sectionId: string;
  authorId: string;
  body: string;
  status?: string;
  delivery?: { recipients: number; delivered: number; read: number };
}
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const STUDENTS = 12;

describe('announcements end to end', () => {
  const taskQueue = `fanout-${randomUUID()}`;
  let api: RunningApi;
  let workers: TestWorkers;
  let pool: Pool;
  let section: SectionFixture;
  let teacherToken: string;
  let studentTokens: string[];
  let guardianTokens: string[];
  /** Signed-in people of the same district who must never receive the section's announcements. */
  let outsiders: { label: string; token: string }[];
  let otherSectionId: string;

  const post = (token: string, sectionId: string, body: unknown, headers: Record<string, string> = {}) =>
    request<Posted>(api.baseUrl, 'POST', `/v1/sections/${sectionId}/announcements`, {
      token,
      json: body,
      headers,
    });
  const received = async (token: string) =>
    (await request<Page<AnnouncementBody>>(api.baseUrl, 'GET', '/v1/announcements', { token })).body.items;
  const delivered = (id: string) =>
    waitFor(
      'the fan-out to finish',
      async () => {
        const res = await request<AnnouncementBody>(api.baseUrl, 'GET', `/v1/announcements/${id}`, {
          token: teacherToken,
        });
        return res.body.status === 'delivered' ? res.body : undefined;
      },
      10_000,
    );

  beforeAll(async () => {
    pool = createTestPool();
    api = await startApi(testApiConfig({ TEMPORAL_TASK_QUEUE: taskQueue }));
    workers = await startTestWorkers(testWorkerConfig({ TEMPORAL_TASK_QUEUE: taskQueue }));

    section = await createSectionFixture(pool, { students: STUDENTS });
    const { districtId, schoolId } = section;
    teacherToken = await signInAs(pool, districtId, section.teachers[0]!.id);
    studentTokens = await signInMany(
      pool,
      districtId,
      section.students.map((s) => s.id),
    );
    guardianTokens = await signInMany(
      pool,
      districtId,
      section.guardians.map((g) => g.id),
    );

    const [otherTeacher] = await createUsers(pool, districtId, 'teacher', 1, schoolId);
    const [otherStudent] = await createUsers(pool, districtId, 'student', 1, schoolId);
    const [otherGuardian] = await createUsers(pool, districtId, 'guardian', 1);
    const [admin] = await createUsers(pool, districtId, 'district_admin', 1);
    otherSectionId = await createSection(pool, districtId, schoolId, {
      teachers: [otherTeacher!],
      students: [otherStudent!],
    });
    await linkGuardians(pool, districtId, [{ guardianId: otherGuardian!.id, studentId: otherStudent!.id }]);
    outsiders = [
      { label: 'teacher of another section', token: await signInAs(pool, districtId, otherTeacher!.id) },
      { label: 'student of another section', token: await signInAs(pool, districtId, otherStudent!.id) },
      { label: 'guardian of another student', token: await signInAs(pool, districtId, otherGuardian!.id) },
      { label: 'district admin', token: await signInAs(pool, districtId, admin!.id) },
    ];
  });

  afterAll(async () => {
    await workers?.stop();
    await api?.close();
    await pool?.end();
  });

  it('when a teacher posts to a section, then every student and linked guardian receives it within seconds, and nobody else', async () => {
    const text = `Field trip on Friday ${randomUUID()}`;
    const res = await post(teacherToken, section.sectionId, { body: text });

    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      id: expect.any(String),
      workflowId: `announcement-${res.body.id}`,
      status: 'fanning_out',
    });
    const started = Date.now();
    for (const token of [...studentTokens, ...guardianTokens]) {
      const item = await waitFor('the announcement to arrive', async () =>
        (await received(token)).find((a) => a.id === res.body.id),
      );
      expect(item).toMatchObject({
        body: text,
        sectionId: section.sectionId,
        authorId: section.teachers[0]!.id,
      });
      expect(item).not.toHaveProperty('delivery');
    }
    expect(Date.now() - started).toBeLessThan(5_000);

    const final = await delivered(res.body.id);
    expect(final.delivery).toEqual({ recipients: 2 * STUDENTS, delivered: 2 * STUDENTS, read: 0 });
    for (const outsider of outsiders) {
      expect({ who: outsider.label, ids: (await received(outsider.token)).map((a) => a.id) }).toEqual({
        who: outsider.label,
        ids: [],
      });
      const direct = await request(api.baseUrl, 'GET', `/v1/announcements/${res.body.id}`, {
        token: outsider.token,
      });
      expect({ who: outsider.label, status: direct.status }).toEqual({ who: outsider.label, status: 404 });
    }
  });

  it('when recipients mark it read, then the author sees the read count and recipients never see counts', async () => {
    const { body: posted } = await post(teacherToken, section.sectionId, { body: 'Read me' });
    await delivered(posted.id);

    for (const token of [studentTokens[0]!, guardianTokens[1]!, studentTokens[0]!]) {
      const res = await request(api.baseUrl, 'POST', `/v1/announcements/${posted.id}/read`, { token });
      expect(res.status).toBe(204);
    }

    const author = await request<AnnouncementBody>(api.baseUrl, 'GET', `/v1/announcements/${posted.id}`, {
      token: teacherToken,
    });
    expect(author.body.delivery).toEqual({ recipients: 2 * STUDENTS, delivered: 2 * STUDENTS, read: 2 });
    const recipient = await request<AnnouncementBody>(api.baseUrl, 'GET', `/v1/announcements/${posted.id}`, {
      token: studentTokens[0],
    });
    expect(recipient.status).toBe(200);
    expect(recipient.body).not.toHaveProperty('delivery');
    expect(recipient.body).not.toHaveProperty('status');
  });

  it('when a student replies, then the reply reaches only the teacher, in a one-to-one conversation', async () => {
    const { body: posted } = await post(teacherToken, section.sectionId, { body: 'Questions welcome' });
    await delivered(posted.id);
    const replyText = `My question ${randomUUID()}`;

    const reply = await request<{ conversationId: string; messageId: string }>(
      api.baseUrl,
      'POST',
      `/v1/announcements/${posted.id}/replies`,
      { token: studentTokens[2], json: { body: replyText } },
    );

    expect(reply.status).toBe(201);
    const teacherInbox = await request<Page<{ id: string; participants: string[] }>>(
      api.baseUrl,
      'GET',
      '/v1/conversations',
      { token: teacherToken },
    );
    const conversation = teacherInbox.body.items.find((c) => c.id === reply.body.conversationId);
    expect(conversation?.participants.sort()).toEqual(
      [section.teachers[0]!.id, section.students[2]!.id].sort(),
    );
    const messages = await request<Page<{ id: string; body: string; senderId: string }>>(
      api.baseUrl,
      'GET',
      `/v1/conversations/${reply.body.conversationId}/messages`,
      { token: teacherToken },
    );
    expect(messages.body.items).toEqual([
      expect.objectContaining({
        id: reply.body.messageId,
        body: replyText,
        senderId: section.students[2]!.id,
      }),
    ]);
    for (const token of [studentTokens[3]!, guardianTokens[2]!, ...outsiders.map((o) => o.token)]) {
      const peek = await request(
        api.baseUrl,
        'GET',
        `/v1/conversations/${reply.body.conversationId}/messages`,
        {
          token,
        },
      );
      expect(peek.status).toBe(404);
      const inbox = await request<Page<{ id: string }>>(api.baseUrl, 'GET', '/v1/conversations', { token });
      expect(inbox.body.items.map((c) => c.id)).not.toContain(reply.body.conversationId);
    }
  });

  it('when anyone but the section teacher posts, then the answer is 403, and 404 for a section of another district', async () => {
    for (const token of [studentTokens[0]!, guardianTokens[0]!, outsiders[0]!.token]) {
      const res = await post(token, section.sectionId, { body: 'Not allowed' });
      expect(res.status).toBe(403);
      expect((res.body as unknown as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    }
    const foreign = await createSectionFixture(pool, { students: 1 });
    const res = await post(teacherToken, foreign.sectionId, { body: 'Wrong district' });
    expect(res.status).toBe(404);
    const count = await pool.query('SELECT count(*)::int AS n FROM announcements WHERE section_id = $1', [
      foreign.sectionId,
    ]);
    expect(count.rows[0].n).toBe(0);
  });

  it('when a teacher reads an announcement of another section, then it does not exist for them', async () => {
    const { body: posted } = await post(outsiders[0]!.token, otherSectionId, { body: 'Other class' });
    expect(posted.id).toBeDefined();

    const res = await request(api.baseUrl, 'GET', `/v1/announcements/${posted.id}`, { token: teacherToken });
    expect(res.status).toBe(404);
    const asStudent = await request(api.baseUrl, 'GET', `/v1/announcements/${posted.id}`, {
      token: studentTokens[0],
    });
    expect(asStudent.status).toBe(404);
  });

  it('when a body is empty, blank or over 10,000 characters, then the answer is 400 and nothing is stored', async () => {
    const stored = async () =>
      (
        await pool.query('SELECT count(*)::int AS n FROM announcements WHERE section_id = $1', [
          section.sectionId,
        ])
      ).rows[0].n as number;
    const before = await stored();
    for (const body of ['', '   ', 'x'.repeat(10_001), 42]) {
      const res = await post(teacherToken, section.sectionId, { body });
      expect(res.status).toBe(400);
      expect((res.body as unknown as { error: { code: string } }).error.code).toBe('VALIDATION_FAILED');
    }
    expect(await stored()).toBe(before);
    const ok = await post(teacherToken, section.sectionId, { body: '€'.repeat(10_000) });
    expect(ok.status).toBe(202);
  });

  it('when the same POST is retried with an idempotency key, then one announcement and one workflow deliver it once', async () => {
    const key = randomUUID();
    const first = await post(
      teacherToken,
      section.sectionId,
      { body: 'Once only' },
      { 'idempotency-key': key },
    );
    await delivered(first.body.id);
    const again = await post(
      teacherToken,
      section.sectionId,
      { body: 'Once only' },
      { 'idempotency-key': key },
    );

    expect(again.status).toBe(202);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.workflowId).toBe(first.body.workflowId);
    const rows = await pool.query(
      'SELECT count(*)::int AS n, count(DISTINCT recipient_id)::int AS d FROM deliveries WHERE announcement_id = $1',
      [first.body.id],
    );
    expect(rows.rows[0]).toEqual({ n: 2 * STUDENTS, d: 2 * STUDENTS });
  });

  it('when a student leaves the section, then its announcements leave their list and cannot be read or replied to', async () => {
    const small = await createSectionFixture(pool, { students: 2, guardiansPerStudent: 0 });
    const teacher = await signInAs(pool, small.districtId, small.teachers[0]!.id);
    const [leaver, stayer] = await signInMany(
      pool,
      small.districtId,
      small.students.map((s) => s.id),
    );
    const { body: posted } = await post(teacher, small.sectionId, { body: 'Before you go' });
    await waitFor('the delivery', async () =>
      (await received(leaver!)).some((a) => a.id === posted.id) ? true : undefined,
    );

    await pool.query('DELETE FROM section_memberships WHERE user_id = $1', [small.students[0]!.id]);

    expect((await received(leaver!)).map((a) => a.id)).not.toContain(posted.id);
    expect(
      (await request(api.baseUrl, 'GET', `/v1/announcements/${posted.id}`, { token: leaver })).status,
    ).toBe(404);
    const reply = await request(api.baseUrl, 'POST', `/v1/announcements/${posted.id}/replies`, {
      token: leaver,
      json: { body: 'still here?' },
    });
    expect(reply.status).toBe(404);
    expect((await received(stayer!)).map((a) => a.id)).toContain(posted.id);
  });

  it('when an operator looks the fan-out up, then search attributes find it and its progress query reports it done', async () => {
    const { body: posted } = await post(teacherToken, section.sectionId, { body: 'Findable' });
    await delivered(posted.id);
    const temporal = api.app.get(TemporalClientService).client;

    const handle = temporal.workflow.getHandle(posted.workflowId);
    const description = await handle.describe();
    expect(description.typedSearchAttributes.get(DISTRICT_ID)).toBe(section.districtId);
    expect(description.typedSearchAttributes.get(ANNOUNCEMENT_ID)).toBe(posted.id);
    expect(await handle.query(announcementProgressQuery)).toEqual({
      stage: 'delivered',
      recipientCount: 2 * STUDENTS,
      batchCount: 1,
      batchesDone: 1,
    });
    const found = await waitFor('the visibility store to index the workflow', async () => {
      const ids: string[] = [];
      for await (const execution of temporal.workflow.list({ query: `AnnouncementId = "${posted.id}"` })) {
        ids.push(execution.workflowId);
      }
      return ids.length > 0 ? ids : undefined;
    });
    expect(found).toEqual([posted.workflowId]);
  });
});
