import { randomUUID } from 'node:crypto';
import { type Pool } from 'pg';
import { homeroom } from '../support/cli';
import { testApiConfig } from '../support/config';
import { createTestPool } from '../support/database';
import { request, type RunningApi, startApi } from '../support/http';
import {
  createDistrict,
  createSectionFixture,
  createUsers,
  type SectionFixture,
  signInAs,
} from '../support/roster-factory';
import { attachmentTestEnv, removeTestStorage } from '../support/attachments';

/**
 * Every write a stolen account could abuse has a per-user quota and a per-district ceiling per hour.
 * Each test works in districts of its own and checks, for one quota: the write over the limit answers
 * 429 RATE_LIMITED with Retry-After, the database holds exactly the allowed writes, refused writes use
 * up nothing (the district still takes another user's writes up to its ceiling, which then refuses
 * them), other districts are not affected, and only the first refusal of each counter in the window is
 * audited and alerted.
 */

const LIMITS = {
  QUOTA_MESSAGES_PER_USER_PER_HOUR: '3',
  QUOTA_MESSAGES_PER_DISTRICT_PER_HOUR: '5',
  QUOTA_ANNOUNCEMENTS_PER_TEACHER_PER_HOUR: '2',
  QUOTA_ANNOUNCEMENTS_PER_DISTRICT_PER_HOUR: '3',
  QUOTA_UPLOADS_PER_USER_PER_HOUR: '2',
  QUOTA_UPLOADS_PER_DISTRICT_PER_HOUR: '3',
  QUOTA_UPLOAD_BYTES_PER_USER_PER_HOUR: '6000',
  QUOTA_UPLOAD_BYTES_PER_DISTRICT_PER_HOUR: '10000',
  QUOTA_REPORTS_PER_USER_PER_HOUR: '2',
  QUOTA_REPORTS_PER_DISTRICT_PER_HOUR: '3',
  QUOTA_INVITATIONS_PER_USER_PER_HOUR: '2',
  QUOTA_INVITATIONS_PER_DISTRICT_PER_HOUR: '3',
};

interface Answer {
  status: number;
  retryAfter: string | null;
  body: { id?: string; error?: { code: string; message: string } };
}

interface QuotaEvent {
  actorId: string;
  targetType: string;
  targetId: string;
  quota: string;
  scope: string;
  limit: number;
}

describe('write quotas', () => {
  const env = attachmentTestEnv('quota', LIMITS);
  let api: RunningApi;
  let pool: Pool;

  beforeAll(async () => {
    pool = createTestPool();
    api = await startApi(testApiConfig(env.overrides));
  });

  afterAll(async () => {
    await api?.close();
    await pool?.end();
    removeTestStorage(env);
  });

  // The quotas count in fixed one-hour windows: a test that started a few seconds before the hour
  // would see its counters reset halfway. It waits for the new hour instead.
  beforeEach(async () => {
    const left = 3_600_000 - (Date.now() % 3_600_000);
    if (left < 30_000) await new Promise((resolve) => setTimeout(resolve, left + 1_000));
  }, 40_000);

  const answer = async (
    token: string,
    method: string,
    path: string,
    json?: unknown,
    headers?: Record<string, string>,
  ): Promise<Answer> => {
    const res = await request<Answer['body']>(api.baseUrl, method, path, { token, json, headers });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: res.body };
  };

  const expectRateLimited = (refused: Answer, message: RegExp) => {
    expect(refused.status).toBe(429);
    expect(refused.body.error?.code).toBe('RATE_LIMITED');
    expect(refused.body.error?.message).toMatch(message);
    expect(refused.retryAfter).toMatch(/^\d+$/);
    const seconds = Number(refused.retryAfter);
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(3600);
  };

  const person = async (districtId: string, id: string) => ({
    id,
    token: await signInAs(pool, districtId, id),
  });

  const quotaEvents = async (districtId: string): Promise<QuotaEvent[]> => {
    const { rows } = await pool.query<QuotaEvent>(
      `SELECT actor_id AS "actorId", target_type AS "targetType", target_id AS "targetId",
              details->>'quota' AS quota, details->>'scope' AS scope, (details->>'limit')::int AS "limit"
       FROM audit_events WHERE district_id = $1 AND action = 'quota.exceeded' ORDER BY seq`,
      [districtId],
    );
    return rows;
  };

  const quotaAlerts = async (districtId: string) => {
    const { rows } = await pool.query<{ severity: string; quota: string; scope: string; userId: string }>(
      `SELECT severity, details->>'quota' AS quota, details->>'scope' AS scope, details->>'userId' AS "userId"
       FROM security_alerts WHERE district_id = $1 AND kind = 'quota_exceeded' ORDER BY created_at`,
      [districtId],
    );
    return rows;
  };

  /** The first refusal of the user's counter and of the district's: one audit event and one alert each. */
  const expectOneRecordPerCounter = async (
    districtId: string,
    quota: string,
    first: { userLimited: string; userLimit: number; districtLimited: string; districtLimit: number },
  ) => {
    expect(await quotaEvents(districtId)).toEqual([
      {
        actorId: first.userLimited,
        targetType: 'user',
        targetId: first.userLimited,
        quota,
        scope: 'user',
        limit: first.userLimit,
      },
      {
        actorId: first.districtLimited,
        targetType: 'district',
        targetId: districtId,
        quota,
        scope: 'district',
        limit: first.districtLimit,
      },
    ]);
    expect(await quotaAlerts(districtId)).toEqual([
      { severity: 'medium', quota, scope: 'user', userId: first.userLimited },
      { severity: 'high', quota, scope: 'district', userId: first.districtLimited },
    ]);
  };

  const count = async (sql: string, params: unknown[]) =>
    Number((await pool.query<{ n: string }>(sql, params)).rows[0]!.n);

  const counter = async (key: string) =>
    count(
      `SELECT coalesce(sum(count), 0) AS n FROM rate_limit_counters
       WHERE key = $1 AND window_start = to_timestamp(floor(extract(epoch FROM now()) / 3600) * 3600)`,
      [key],
    );

  describe('one-to-one messages', () => {
    const send = (token: string, conversationId: string) =>
      answer(token, 'POST', `/v1/conversations/${conversationId}/messages`, { body: 'See you at 8.' });
    const open = async (token: string, participantId: string) =>
      (await answer(token, 'POST', '/v1/conversations', { participantId })).body.id!;
    const sentBy = (userId: string) =>
      count('SELECT count(*) AS n FROM messages WHERE sender_id = $1', [userId]);

    it('when a user sends past their hourly limit, then 429 with Retry-After, only the allowed messages exist, and the district ceiling then stops everyone', async () => {
      const section = await createSectionFixture(pool, { students: 2, guardiansPerStudent: 0 });
      const teacher = await person(section.districtId, section.teachers[0]!.id);
      const [first, second] = await Promise.all(
        section.students.map((s) => person(section.districtId, s.id)),
      );
      const withFirst = await open(teacher.token, first!.id);
      const withSecond = await open(second!.token, teacher.id);

      for (let i = 0; i < 3; i++) expect((await send(teacher.token, withFirst)).status).toBe(201);
      expectRateLimited(await send(teacher.token, withFirst), /messages.*limit is 3 per hour\./);
      expectRateLimited(await send(teacher.token, withFirst), /limit is 3 per hour\./);
      expect(await sentBy(teacher.id)).toBe(3);

      // The teacher's refused sends used up nothing of the district's 5: two more fit, from others.
      expect((await send(first!.token, withFirst)).status).toBe(201);
      expect((await send(second!.token, withSecond)).status).toBe(201);
      expectRateLimited(await send(second!.token, withSecond), /for the whole district/);
      expect(await sentBy(first!.id)).toBe(1);
      expect(await sentBy(second!.id)).toBe(1);

      const elsewhere = await createSectionFixture(pool, { students: 1, guardiansPerStudent: 0 });
      const otherTeacher = await person(elsewhere.districtId, elsewhere.teachers[0]!.id);
      const otherConversation = await open(otherTeacher.token, elsewhere.students[0]!.id);
      expect((await send(otherTeacher.token, otherConversation)).status).toBe(201);

      await expectOneRecordPerCounter(section.districtId, 'messages', {
        userLimited: teacher.id,
        userLimit: 3,
        districtLimited: second!.id,
        districtLimit: 5,
      });
      expect(await quotaEvents(elsewhere.districtId)).toEqual([]);
    });

    it('when many sends race for the last places, then exactly the limit is stored', async () => {
      const section = await createSectionFixture(pool, { students: 1, guardiansPerStudent: 0 });
      const teacher = await person(section.districtId, section.teachers[0]!.id);
      const conversation = await open(teacher.token, section.students[0]!.id);
      const answers = await Promise.all(Array.from({ length: 12 }, () => send(teacher.token, conversation)));
      expect(answers.filter((a) => a.status === 201)).toHaveLength(3);
      expect(answers.filter((a) => a.status === 429)).toHaveLength(9);
      expect(await sentBy(teacher.id)).toBe(3);
      expect(await counter(`quota:messages:user:${teacher.id}`)).toBe(3);
      expect(await counter(`quota:messages:district:${section.districtId}`)).toBe(3);
      expect(await quotaEvents(section.districtId)).toHaveLength(1);
      expect(await quotaAlerts(section.districtId)).toHaveLength(1);
    });
    it('when many users race for the district’s last places, then exactly the ceiling is stored', async () => {
      const section = await createSectionFixture(pool, { students: 4, guardiansPerStudent: 0 });
      const teacherId = section.teachers[0]!.id;
      const students = await Promise.all(section.students.map((s) => person(section.districtId, s.id)));
      const conversations = await Promise.all(students.map((s) => open(s.token, teacherId)));
      const answers = await Promise.all(
        students.flatMap((s, i) => [send(s.token, conversations[i]!), send(s.token, conversations[i]!)]),
      );
      expect(answers.filter((a) => a.status === 201)).toHaveLength(5);
      expect(answers.filter((a) => a.status === 429)).toHaveLength(3);
      const stored = await count(
        'SELECT count(*) AS n FROM messages WHERE conversation_id = ANY($1::uuid[])',
        [conversations],
      );
      expect(stored).toBe(5);
      expect(await counter(`quota:messages:district:${section.districtId}`)).toBe(5);
      expect(await quotaEvents(section.districtId)).toMatchObject([{ scope: 'district', limit: 5 }]);
      expect(await quotaAlerts(section.districtId)).toHaveLength(1);
    });

    it('when a student who used up their messages replies to an announcement, then 429 and no conversation is opened', async () => {
      const section = await createSectionFixture(pool, { students: 1, teachers: 2, guardiansPerStudent: 0 });
      const [author, otherTeacher] = await Promise.all(
        section.teachers.map((t) => person(section.districtId, t.id)),
      );
      const student = await person(section.districtId, section.students[0]!.id);
      const posted = await answer(author!.token, 'POST', `/v1/sections/${section.sectionId}/announcements`, {
        body: 'Questions welcome.',
      });
      expect(posted.status).toBe(202);
      // The delivery the fan-out worker would write (this suite runs no worker).
      await pool.query(
        'INSERT INTO deliveries (announcement_id, recipient_id, district_id) VALUES ($1, $2, $3)',
        [posted.body.id, student.id, section.districtId],
      );
      const reply = () =>
        answer(student.token, 'POST', `/v1/announcements/${posted.body.id}/replies`, { body: 'A question.' });

      const withOther = await open(student.token, otherTeacher!.id);
      for (let i = 0; i < 3; i++) expect((await send(student.token, withOther)).status).toBe(201);
      expectRateLimited(await reply(), /messages.*limit is 3 per hour\./);
      expect(await sentBy(student.id)).toBe(3);
      expect(await quotaEvents(section.districtId)).toMatchObject([
        { actorId: student.id, quota: 'messages' },
      ]);
      // The refused reply opened no conversation with the author: the student has only the other one.
      const conversations = await pool.query<{ id: string }>(
        'SELECT id FROM conversations WHERE district_id = $1 AND $2 IN (participant_low_id, participant_high_id)',
        [section.districtId, student.id],
      );
      expect(conversations.rows.map((row) => row.id)).toEqual([withOther]);
    });
  });

  describe('announcements', () => {
    const post = (token: string, sectionId: string, idempotencyKey?: string) =>
      answer(
        token,
        'POST',
        `/v1/sections/${sectionId}/announcements`,
        { body: 'Field trip forms are due Friday.' },
        idempotencyKey ? { 'idempotency-key': idempotencyKey } : undefined,
      );
    const postedBy = (userId: string) =>
      count('SELECT count(*) AS n FROM announcements WHERE author_id = $1', [userId]);

    it('when a teacher posts past the per-teacher limit, then 429, and the district ceiling stops a second teacher', async () => {
      const section = await createSectionFixture(pool, { students: 1, teachers: 2, guardiansPerStudent: 0 });
      const [first, second] = await Promise.all(
        section.teachers.map((t) => person(section.districtId, t.id)),
      );
      const key = randomUUID();
      const original = await post(first!.token, section.sectionId, key);
      expect(original.status).toBe(202);
      // A retry with the same Idempotency-Key is the same announcement and does not count again.
      expect((await post(first!.token, section.sectionId, key)).status).toBe(202);
      expect((await post(first!.token, section.sectionId)).status).toBe(202);
      expectRateLimited(await post(first!.token, section.sectionId), /announcements.*limit is 2 per hour\./);
      expectRateLimited(await post(first!.token, section.sectionId), /limit is 2 per hour\./);
      expect(await postedBy(first!.id)).toBe(2);
      // A retry of one already stored is still answered as the first time, quota or not.
      const retried = await post(first!.token, section.sectionId, key);
      expect(retried.status).toBe(202);
      expect(retried.body.id).toBe(original.body.id);
      expect(await postedBy(first!.id)).toBe(2);

      expect((await post(second!.token, section.sectionId)).status).toBe(202);
      expectRateLimited(await post(second!.token, section.sectionId), /for the whole district/);
      expect(await postedBy(second!.id)).toBe(1);

      await expectOneRecordPerCounter(section.districtId, 'announcements', {
        userLimited: first!.id,
        userLimit: 2,
        districtLimited: second!.id,
        districtLimit: 3,
      });
    });

    it('when an operator sets the district’s own limit, then its teachers get that limit and other districts keep the default', async () => {
      const strict = await createSectionFixture(pool, { students: 1, guardiansPerStudent: 0 });
      const relaxed = await createSectionFixture(pool, { students: 1, guardiansPerStudent: 0 });
      const set = await homeroom([
        'district',
        'settings',
        '--district',
        strict.districtId,
        '--announcements-per-teacher-per-hour',
        '1',
      ]);
      expect(set.code).toBe(0);
      expect(JSON.parse(set.stdout)).toEqual({
        districtId: strict.districtId,
        announcementsPerTeacherPerHour: 1,
        anomalyBroadcastRecipients: null,
      });

      const strictTeacher = await person(strict.districtId, strict.teachers[0]!.id);
      const relaxedTeacher = await person(relaxed.districtId, relaxed.teachers[0]!.id);
      expect((await post(strictTeacher.token, strict.sectionId)).status).toBe(202);
      expectRateLimited(await post(strictTeacher.token, strict.sectionId), /limit is 1 per hour\./);
      expect((await post(relaxedTeacher.token, relaxed.sectionId)).status).toBe(202);
      expect((await post(relaxedTeacher.token, relaxed.sectionId)).status).toBe(202);
      expect(await postedBy(strictTeacher.id)).toBe(1);
      expect(await postedBy(relaxedTeacher.id)).toBe(2);
      expect(await quotaEvents(strict.districtId)).toMatchObject([{ scope: 'user', limit: 1 }]);
      expect(await quotaEvents(relaxed.districtId)).toEqual([]);

      const reset = await homeroom([
        'district',
        'settings',
        '--district',
        strict.districtId,
        '--announcements-per-teacher-per-hour',
        'default',
      ]);
      expect(JSON.parse(reset.stdout)).toEqual({
        districtId: strict.districtId,
        announcementsPerTeacherPerHour: null,
        anomalyBroadcastRecipients: null,
      });
      // Back to the configured 2: the one posted this hour leaves room for one more.
      expect((await post(strictTeacher.token, strict.sectionId)).status).toBe(202);
      expectRateLimited(await post(strictTeacher.token, strict.sectionId), /limit is 2 per hour\./);
    });

    it('when the setting is not a positive whole number, then the CLI refuses it and changes nothing', async () => {
      const { districtId } = await createDistrict(pool);
      for (const bad of ['0', '-1', '1.5', 'lots', '100001']) {
        const run = await homeroom([
          'district',
          'settings',
          '--district',
          districtId,
          '--announcements-per-teacher-per-hour',
          bad,
        ]);
        expect(run.code).not.toBe(0);
        expect(run.stderr).toMatch(/announcements-per-teacher-per-hour must be a whole number/);
      }
      const shown = await homeroom(['district', 'settings', '--district', districtId]);
      expect(JSON.parse(shown.stdout)).toEqual({
        districtId,
        announcementsPerTeacherPerHour: null,
        anomalyBroadcastRecipients: null,
      });
    });
  });

  describe('uploads', () => {
    const uploadText = async (token: string, size: number): Promise<Answer> => {
      const boundary = `----quota${randomUUID().replaceAll('-', '')}`;
      const body = Buffer.concat([
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="notes.txt"\r\n` +
            'Content-Type: text/plain\r\n\r\n',
        ),
        Buffer.from('a'.repeat(size)),
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      const res = await fetch(`${api.baseUrl}/v1/attachments`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': `multipart/form-data; boundary=${boundary}`,
        },
        body,
      });
      return {
        status: res.status,
        retryAfter: res.headers.get('retry-after'),
        body: (await res.json()) as Answer['body'],
      };
    };
    const uploadedBy = (userId: string) =>
      count('SELECT count(*) AS n FROM attachments WHERE uploader_id = $1', [userId]);
    it('when a user uploads past the hourly count, then 429, and the district ceiling stops a second user', async () => {
      const { districtId, schoolId } = await createDistrict(pool);
      const [first, second] = await Promise.all(
        (await createUsers(pool, districtId, 'teacher', 2, schoolId)).map((t) => person(districtId, t.id)),
      );
      expect((await uploadText(first!.token, 100)).status).toBe(202);
      expect((await uploadText(first!.token, 100)).status).toBe(202);
      expectRateLimited(await uploadText(first!.token, 100), /uploads.*limit is 2 per hour\./);
      expect(await uploadedBy(first!.id)).toBe(2);

      expect((await uploadText(second!.token, 100)).status).toBe(202);
      expectRateLimited(await uploadText(second!.token, 100), /uploads.*for the whole district/);
      expect(await uploadedBy(second!.id)).toBe(1);

      await expectOneRecordPerCounter(districtId, 'uploads', {
        userLimited: first!.id,
        userLimit: 2,
        districtLimited: second!.id,
        districtLimit: 3,
      });
    });

    it('when uploads exceed the hourly bytes, then 429; the counters hold the bytes stored, not the ones declared', async () => {
      const { districtId, schoolId } = await createDistrict(pool);
      const [first, second, third] = await Promise.all(
        (await createUsers(pool, districtId, 'teacher', 3, schoolId)).map((t) => person(districtId, t.id)),
      );
      expect((await uploadText(first!.token, 4000)).status).toBe(202);
      expect(await counter(`quota:upload_bytes:user:${first!.id}`)).toBe(4000);
      expectRateLimited(await uploadText(first!.token, 4000), /uploaded bytes.*limit is 6000 per hour\./);
      // Refused before a byte is read, a large upload too gets its 429 (Node discards the body).
      expectRateLimited(await uploadText(first!.token, 20 * 1024 * 1024), /uploaded bytes.*limit is 6000/);
      expect(await uploadedBy(first!.id)).toBe(1);
      // The refused upload gave back its count and its bytes.
      expect(await counter(`quota:uploads:user:${first!.id}`)).toBe(1);
      expect(await counter(`quota:upload_bytes:district:${districtId}`)).toBe(4000);

      // The district has 10000 bytes: 4000 more fit, then 2500 (with their framing) do not.
      expect((await uploadText(second!.token, 4000)).status).toBe(202);
      expectRateLimited(await uploadText(third!.token, 2500), /uploaded bytes.*for the whole district/);
      expect(await uploadedBy(third!.id)).toBe(0);
      expect(await counter(`quota:upload_bytes:district:${districtId}`)).toBe(8000);
      expect(await counter(`quota:uploads:district:${districtId}`)).toBe(2);

      await expectOneRecordPerCounter(districtId, 'upload_bytes', {
        userLimited: first!.id,
        userLimit: 6000,
        districtLimited: third!.id,
        districtLimit: 10000,
      });
    });
  });

  describe('message reports', () => {
    it('when a user reports past the hourly limit, then 429, and the district ceiling stops a second reporter', async () => {
      const section: SectionFixture = await createSectionFixture(pool, {
        students: 2,
        teachers: 2,
        guardiansPerStudent: 0,
      });
      const [teacherA, teacherB] = await Promise.all(
        section.teachers.map((t) => person(section.districtId, t.id)),
      );
      const [studentA, studentB] = await Promise.all(
        section.students.map((s) => person(section.districtId, s.id)),
      );
      const sendTo = async (from: { token: string }, to: string, n: number) => {
        const conversation = (await answer(from.token, 'POST', '/v1/conversations', { participantId: to }))
          .body.id!;
        const ids: string[] = [];
        for (let i = 0; i < n; i++) {
          ids.push(
            (await answer(from.token, 'POST', `/v1/conversations/${conversation}/messages`, { body: 'x' }))
              .body.id!,
          );
        }
        return ids;
      };
      const toA = await sendTo(teacherA!, studentA!.id, 3);
      const toB = await sendTo(teacherB!, studentB!.id, 2);
      const report = (token: string, messageId: string) =>
        answer(token, 'POST', `/v1/messages/${messageId}/report`, { reason: 'Not appropriate.' });
      const reportsBy = (userId: string) =>
        count('SELECT count(*) AS n FROM message_reports WHERE reporter_id = $1', [userId]);

      expect((await report(studentA!.token, toA[0]!)).status).toBe(201);
      expect((await report(studentA!.token, toA[1]!)).status).toBe(201);
      expectRateLimited(await report(studentA!.token, toA[2]!), /reports.*limit is 2 per hour\./);
      expect(await reportsBy(studentA!.id)).toBe(2);

      expect((await report(studentB!.token, toB[0]!)).status).toBe(201);
      expectRateLimited(await report(studentB!.token, toB[1]!), /reports.*for the whole district/);
      expect(await reportsBy(studentB!.id)).toBe(1);

      await expectOneRecordPerCounter(section.districtId, 'reports', {
        userLimited: studentA!.id,
        userLimit: 2,
        districtLimited: studentB!.id,
        districtLimit: 3,
      });
    });
  });

  describe('invitations', () => {
    it('when an admin issues invitations past the hourly limit, then 429, and the district ceiling stops a second admin', async () => {
      const { districtId, schoolId } = await createDistrict(pool);
      const [adminA, adminB] = await Promise.all(
        (await createUsers(pool, districtId, 'district_admin', 2)).map((a) => person(districtId, a.id)),
      );
      const students = await createUsers(pool, districtId, 'student', 5, schoolId);
      const invite = (token: string, userId: string) =>
        answer(token, 'POST', `/v1/admin/users/${userId}/invitations`);
      const issuedBy = (userId: string) =>
        count('SELECT count(*) AS n FROM invitations WHERE created_by_id = $1', [userId]);

      expect((await invite(adminA!.token, students[0]!.id)).status).toBe(201);
      expect((await invite(adminA!.token, students[1]!.id)).status).toBe(201);
      expectRateLimited(await invite(adminA!.token, students[2]!.id), /invitations.*limit is 2 per hour\./);
      expect(await issuedBy(adminA!.id)).toBe(2);

      expect((await invite(adminB!.token, students[2]!.id)).status).toBe(201);
      expectRateLimited(await invite(adminB!.token, students[3]!.id), /invitations.*for the whole district/);
      expect(await issuedBy(adminB!.id)).toBe(1);

      const other = await createDistrict(pool);
      const [otherAdmin] = await createUsers(pool, other.districtId, 'district_admin', 1);
      const [otherStudent] = await createUsers(pool, other.districtId, 'student', 1, other.schoolId);
      const otherToken = await signInAs(pool, other.districtId, otherAdmin!.id);
      expect((await invite(otherToken, otherStudent!.id)).status).toBe(201);

      await expectOneRecordPerCounter(districtId, 'invitations', {
        userLimited: adminA!.id,
        userLimit: 2,
        districtLimited: adminB!.id,
        districtLimit: 3,
      });
    });
  });
});
