import { randomUUID } from 'node:crypto';
import { type Pool } from 'pg';
import {
  generateRoster,
  type RosterModel,
  withEnrollment,
  withoutEnrollment,
  withoutUser,
  writeDeltaZip,
  writeRosterZip,
} from '../../libs/domain/roster/generator';
import { testApiConfig, testWorkerConfig } from '../support/config';
import { createTestPool } from '../support/database';
import {
  createAdminWithTotp,
  createDistrict,
  openTestDatabase,
  type TestDatabase,
} from '../support/factories';
import { request, type RunningApi, startApi } from '../support/http';
import { waitFor } from '../support/processes';
import { signInAs } from '../support/roster-factory';
import { startTestWorkers, type TestWorkers } from '../support/workers';

interface ImportView {
  status: 'running' | 'succeeded' | 'failed';
  counts: Record<string, number>;
}

/**
 * DESIGN.md invariant 10 through HTTP, with the real roster import running in the worker: a thread
 * that a reply to an announcement opened closes for both sides on the first request after the import
 * that ends the pair's relationship, and stays readable to the district admin for review.
 */
describe('access ends when a roster import says so', () => {
  const taskQueue = `access-${randomUUID()}`;
  let api: RunningApi;
  let workers: TestWorkers;
  let database: TestDatabase;
  let pool: Pool;
  let districtId: string;
  let adminToken: string;
  let model: RosterModel;
  /** The school of the first test's section, which the second test leaves alone. */
  let firstSchool: string;

  const roster = generateRoster({
    seed: 12,
    schools: 2,
    sections: 12,
    students: 60,
    sectionsPerTeacher: 2,
    guardiansPerStudent: 1,
  });

  /**
   * Uploads an export and waits for it to apply. With `held`, the import must first be held as a mass
   * change (deactivating a school always is) and is then confirmed, as an admin would.
   */
  async function importModel(bytes: Uint8Array, options: { held?: boolean } = {}): Promise<ImportView> {
    const form = new FormData();
    form.append('file', new Blob([Buffer.from(bytes)], { type: 'application/zip' }), 'roster.zip');
    const res = await fetch(`${api.baseUrl}/v1/admin/roster/imports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}` },
      body: form,
    });
    expect(res.status).toBe(202);
    const { importId } = (await res.json()) as { importId: string };
    const settled = () =>
      waitFor(
        `roster import ${importId}`,
        async () => {
          const view = await request<ImportView>(api.baseUrl, 'GET', `/v1/admin/roster/imports/${importId}`, {
            token: adminToken,
          });
          return view.body.status === 'running' ? undefined : view.body;
        },
        120_000,
      );
    if (options.held) {
      expect((await settled()).status).toBe('held');
      const confirmed = await request(api.baseUrl, 'POST', `/v1/admin/roster/imports/${importId}/confirm`, {
        token: adminToken,
      });
      expect(confirmed.status).toBe(202);
    }
    const done = await settled();
    expect(done.status).toBe('succeeded');
    return done;
  }

  async function idOf(sourcedId: string): Promise<string> {
    const { rows } = await pool.query<{ id: string }>(
      'SELECT id FROM users WHERE district_id = $1 AND sourced_id = $2',
      [districtId, sourcedId],
    );
    if (!rows[0]) throw new Error(`no user ${sourcedId}`);
    return rows[0].id;
  }

  async function sectionIdOf(sourcedId: string): Promise<string> {
    const { rows } = await pool.query<{ id: string }>(
      'SELECT id FROM sections WHERE district_id = $1 AND sourced_id = $2',
      [districtId, sourcedId],
    );
    if (!rows[0]) throw new Error(`no section ${sourcedId}`);
    return rows[0].id;
  }

  const teachersOf = (m: RosterModel, section: string) =>
    m.enrollments
      .filter((e) => e.sectionSourcedId === section && e.role === 'teacher')
      .map((e) => e.userSourcedId);
  const sectionsOf = (m: RosterModel, user: string) =>
    m.enrollments
      .filter((e) => e.userSourcedId === user && e.role === 'student')
      .map((e) => e.sectionSourcedId);
  const childrenOf = (m: RosterModel, guardian: string) =>
    m.guardianLinks.filter((l) => l.guardianSourcedId === guardian).map((l) => l.studentSourcedId);

  /**
   * A section, its lead teacher, a student and that student's guardian, such that the teacher reaches
   * the student and the guardian through that section alone; and another teacher of the school, who
   * teaches none of them, to add as co-teacher.
   */
  function pickCast(m: RosterModel) {
    for (const link of m.guardianLinks) {
      const student = link.studentSourcedId;
      const guardian = link.guardianSourcedId;
      for (const section of sectionsOf(m, student)) {
        const teacher = teachersOf(m, section)[0];
        if (!teacher) continue;
        const reachedElsewhere = childrenOf(m, guardian)
          .flatMap((child) => sectionsOf(m, child))
          .some((other) => other !== section && teachersOf(m, other).includes(teacher));
        if (reachedElsewhere) continue;
        const school = m.sections.find((s) => s.sourcedId === section)!.schoolSourcedId;
        const coTeacher = m.users.find(
          (u) =>
            u.role === 'teacher' &&
            u.sourcedId !== teacher &&
            u.orgSourcedIds.includes(school) &&
            !teachersOf(m, section).includes(u.sourcedId),
        );
        if (coTeacher) return { section, teacher, student, guardian, coTeacher: coTeacher.sourcedId, school };
      }
    }
    throw new Error('the generated roster has no such cast');
  }

  beforeAll(async () => {
    const overrides = { TEMPORAL_TASK_QUEUE: taskQueue, TEMPORAL_SCAN_TASK_QUEUE: `${taskQueue}-scan` };
    api = await startApi(testApiConfig(overrides));
    workers = await startTestWorkers(testWorkerConfig(overrides));
    database = openTestDatabase();
    pool = createTestPool();
    districtId = await createDistrict(database.db);
    adminToken = await (await createAdminWithTotp(database.db, districtId)).signIn(api.baseUrl);
  }, 60_000);

  afterAll(async () => {
    await workers?.stop();
    await api?.close();
    await pool?.end();
    await database?.close();
  });

  it('when an import removes the teacher from the section, then the reply threads of the student and the guardian answer 403 to both sides right after it, the co-teacher stays reachable and the admin can still review', async () => {
    const cast = pickCast(roster.model);
    firstSchool = cast.school;
    model = withEnrollment(roster.model, {
      userSourcedId: cast.coTeacher,
      sectionSourcedId: cast.section,
      role: 'teacher',
    });
    await importModel(writeRosterZip(model));
    const [teacherId, studentId, guardianId, coTeacherId, sectionId] = await Promise.all([
      idOf(cast.teacher),
      idOf(cast.student),
      idOf(cast.guardian),
      idOf(cast.coTeacher),
      sectionIdOf(cast.section),
    ]);
    const [teacher, student, guardian] = await Promise.all(
      [teacherId, studentId, guardianId].map((id) => signInAs(pool, districtId, id)),
    );

    const posted = await request<{ id: string }>(
      api.baseUrl,
      'POST',
      `/v1/sections/${sectionId}/announcements`,
      {
        token: teacher,
        json: { body: 'Bring your permission slips' },
      },
    );
    expect(posted.status).toBe(202);
    await waitFor(
      'the fan-out to finish',
      async () => {
        const res = await request<{ status: string }>(
          api.baseUrl,
          'GET',
          `/v1/announcements/${posted.body.id}`,
          {
            token: teacher,
          },
        );
        return res.body.status === 'delivered' ? true : undefined;
      },
      30_000,
    );
    const threads: { who: string; token: string; conversationId: string }[] = [];
    for (const [who, token] of [
      ['student', student],
      ['guardian', guardian],
    ] as const) {
      const reply = await request<{ conversationId: string }>(
        api.baseUrl,
        'POST',
        `/v1/announcements/${posted.body.id}/replies`,
        { token, json: { body: `A question from the ${who}` } },
      );
      expect(reply.status).toBe(201);
      threads.push({ who, token, conversationId: reply.body.conversationId });
    }
    const use = (token: string, conversationId: string) =>
      Promise.all([
        request(api.baseUrl, 'GET', `/v1/conversations/${conversationId}/messages`, { token }),
        request(api.baseUrl, 'POST', `/v1/conversations/${conversationId}/messages`, {
          token,
          json: { body: 'Still there?' },
        }),
      ]).then(([read, write]) => [read.status, write.status]);
    for (const thread of threads) {
      expect({ who: thread.who, statuses: await use(teacher, thread.conversationId) }).toEqual({
        who: thread.who,
        statuses: [200, 201],
      });
      expect({ who: thread.who, statuses: await use(thread.token, thread.conversationId) }).toEqual({
        who: thread.who,
        statuses: [200, 201],
      });
    }

    model = withoutEnrollment(model, cast.teacher, cast.section);
    const removal = await importModel(writeRosterZip(model));
    expect(removal.counts).toMatchObject({ enrollmentsRemoved: 1, usersRemoved: 0 });

    for (const thread of threads) {
      expect({
        who: `teacher with the ${thread.who}`,
        statuses: await use(teacher, thread.conversationId),
      }).toEqual({ who: `teacher with the ${thread.who}`, statuses: [403, 403] });
      expect({ who: thread.who, statuses: await use(thread.token, thread.conversationId) }).toEqual({
        who: thread.who,
        statuses: [403, 403],
      });
    }
    const replyAgain = await request(api.baseUrl, 'POST', `/v1/announcements/${posted.body.id}/replies`, {
      token: student,
      json: { body: 'And now?' },
    });
    expect(replyAgain.status).toBe(403);
    const { rows: sent } = await pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM messages WHERE conversation_id = ANY($1::uuid[])',
      [threads.map((t) => t.conversationId)],
    );
    expect(sent[0]!.n).toBe(threads.length * 3);

    for (const token of [student, guardian]) {
      const withCoTeacher = await request(api.baseUrl, 'POST', '/v1/conversations', {
        token,
        json: { participantId: coTeacherId },
      });
      expect(withCoTeacher.status).toBe(201);
    }
    for (const thread of threads) {
      const review = await request<{ items: unknown[] }>(
        api.baseUrl,
        'GET',
        `/v1/admin/conversations/${thread.conversationId}/messages`,
        { token: adminToken },
      );
      expect(review.status).toBe(200);
      expect(review.body.items).toHaveLength(3);
    }
  });

  it('when a delta import deletes a school, then its sections are deactivated and threads through them close for both sides', async () => {
    const school = model.orgs.find((org) => org.type === 'school' && org.sourcedId !== firstSchool)!;
    const section = model.sections.find((s) => s.schoolSourcedId === school.sourcedId)!;
    const teacher = teachersOf(model, section.sourcedId)[0]!;
    const student = model.enrollments.find(
      (e) =>
        e.sectionSourcedId === section.sourcedId &&
        e.role === 'student' &&
        sectionsOf(model, e.userSourcedId).every(
          (s) => model.sections.find((x) => x.sourcedId === s)!.schoolSourcedId === school.sourcedId,
        ),
    )!.userSourcedId;
    const [teacherId, studentId] = await Promise.all([idOf(teacher), idOf(student)]);
    const [teacherToken, studentToken] = await Promise.all(
      [teacherId, studentId].map((id) => signInAs(pool, districtId, id)),
    );
    const opened = await request<{ id: string }>(api.baseUrl, 'POST', '/v1/conversations', {
      token: teacherToken,
      json: { participantId: studentId },
    });
    expect(opened.status).toBe(201);
    const path = `/v1/conversations/${opened.body.id}/messages`;
    expect((await request(api.baseUrl, 'GET', path, { token: studentToken })).status).toBe(200);

    const after = { ...model, orgs: model.orgs.filter((org) => org.sourcedId !== school.sourcedId) };
    // Deactivating a school is a mass change: held until an admin confirms it.
    const removal = await importModel(writeDeltaZip(model, after), { held: true });
    model = after;
    const schoolSections = model.sections.filter((s) => s.schoolSourcedId === school.sourcedId).length;
    expect(removal.counts).toMatchObject({ sectionsRemoved: schoolSections });

    for (const token of [teacherToken, studentToken]) {
      expect((await request(api.baseUrl, 'GET', path, { token })).status).toBe(403);
      expect((await request(api.baseUrl, 'POST', path, { token, json: { body: 'Hello?' } })).status).toBe(
        403,
      );
    }
    const { rows } = await pool.query<{ active: boolean }>(
      `SELECT DISTINCT active FROM sections WHERE district_id = $1 AND school_id =
         (SELECT id FROM schools WHERE district_id = $1 AND sourced_id = $2)`,
      [districtId, school.sourcedId],
    );
    expect(rows).toEqual([{ active: false }]);
  });
  it("when a guardian's only child in the section leaves it, then the guardian's thread with its teacher closes; when a student is deactivated, then their teacher's thread with them closes", async () => {
    const remaining = new Set(model.orgs.filter((org) => org.type === 'school').map((org) => org.sourcedId));
    const taught = (m: RosterModel, teacher: string, child: string) =>
      sectionsOf(m, child).filter((section) => teachersOf(m, section).includes(teacher));
    const family = model.guardianLinks
      .map((link) => ({ guardian: link.guardianSourcedId, student: link.studentSourcedId }))
      .flatMap(({ guardian, student }) =>
        sectionsOf(model, student).map((section) => ({ guardian, student, section })),
      )
      .find(({ guardian, student, section }) => {
        const school = model.sections.find((s) => s.sourcedId === section)!.schoolSourcedId;
        const teacher = teachersOf(model, section)[0];
        return (
          remaining.has(school) &&
          teacher !== undefined &&
          childrenOf(model, guardian).every((child) =>
            taught(model, teacher, child).every((s) => s === section && child === student),
          )
        );
      })!;
    const teacherSourcedId = teachersOf(model, family.section)[0]!;
    const [teacherId, guardianId] = await Promise.all([idOf(teacherSourcedId), idOf(family.guardian)]);
    const [teacher, guardian] = await Promise.all(
      [teacherId, guardianId].map((id) => signInAs(pool, districtId, id)),
    );
    const opened = await request<{ id: string }>(api.baseUrl, 'POST', '/v1/conversations', {
      token: guardian,
      json: { participantId: teacherId },
    });
    expect(opened.status).toBe(201);
    const guardianThread = `/v1/conversations/${opened.body.id}/messages`;

    const leaver = model.enrollments.find(
      (e) =>
        e.role === 'student' &&
        e.userSourcedId !== family.student &&
        !childrenOf(model, family.guardian).includes(e.userSourcedId) &&
        remaining.has(e.schoolSourcedId),
    )!;
    const leaverTeacher = teachersOf(model, leaver.sectionSourcedId)[0]!;
    const [leaverId, leaverTeacherId] = await Promise.all([idOf(leaver.userSourcedId), idOf(leaverTeacher)]);
    const [leaverToken, leaverTeacherToken] = await Promise.all(
      [leaverId, leaverTeacherId].map((id) => signInAs(pool, districtId, id)),
    );
    const withLeaver = await request<{ id: string }>(api.baseUrl, 'POST', '/v1/conversations', {
      token: leaverTeacherToken,
      json: { participantId: leaverId },
    });
    expect([200, 201]).toContain(withLeaver.status);
    const leaverThread = `/v1/conversations/${withLeaver.body.id}/messages`;
    for (const [token, path] of [
      [guardian, guardianThread],
      [teacher, guardianThread],
      [leaverTeacherToken, leaverThread],
    ] as const) {
      expect((await request(api.baseUrl, 'GET', path, { token })).status).toBe(200);
    }

    const after = withoutUser(withoutEnrollment(model, family.student, family.section), leaver.userSourcedId);
    const removal = await importModel(writeDeltaZip(model, after));
    model = after;
    expect(removal.counts).toMatchObject({ usersRemoved: 1 });

    for (const [who, token] of [
      ['guardian', guardian],
      ['teacher', teacher],
    ] as const) {
      const read = await request(api.baseUrl, 'GET', guardianThread, { token });
      const write = await request(api.baseUrl, 'POST', guardianThread, { token, json: { body: 'Hello?' } });
      expect({ who, statuses: [read.status, write.status] }).toEqual({ who, statuses: [403, 403] });
    }
    const read = await request(api.baseUrl, 'GET', leaverThread, { token: leaverTeacherToken });
    const write = await request(api.baseUrl, 'POST', leaverThread, {
      token: leaverTeacherToken,
      json: { body: 'Hello?' },
    });
    expect([read.status, write.status]).toEqual([403, 403]);
    expect((await request(api.baseUrl, 'GET', leaverThread, { token: leaverToken })).status).toBe(401);
  });
});
