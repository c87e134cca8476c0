import { randomBytes } from 'node:crypto';
import { type Client } from '@temporalio/client';
import { unzipSync, zipSync } from 'fflate';
import { type Pool } from 'pg';
import {
  generateRoster,
  rewriteZip,
  type RosterCounts,
  type RosterModel,
  withoutEnrollment,
  withoutUser,
  withUserChanges,
  writeDeltaZip,
  writeRosterZip,
} from '../support/roster-generator/generator';
import { auditEvents, createActiveUserWithPassword, signIn, type TestDatabase } from '../support/factories';
import { request, type RunningApi } from '../support/http';
import { signInAs } from '../support/roster-factory';
import { ANALYZE_AFTER_CHANGED_ROWS } from '../../libs/roster-import/roster-importer';
import { connectTestClient } from '../support/temporal-client';
import {
  dumpRoster,
  idBySourcedId,
  type RosterImportStack,
  settledRosterImport,
  startRosterImportStack,
  uploadRoster,
} from '../support/roster-imports';

const UPLOAD_LIMIT = 512 * 1024;

/** What a bulk import of a fresh district must report, from the generator's own counts. */
function firstImportCounts(expected: RosterCounts) {
  return {
    usersCreated: expected.users.teacher + expected.users.student + expected.users.guardian,
    usersUpdated: 0,
    usersRemoved: 0,
    sectionsCreated: expected.sections,
    enrollmentsAdded: expected.memberships.teacher + expected.memberships.student,
    enrollmentsRemoved: 0,
    guardianLinksAdded: expected.guardianLinks,
    guardianLinksRemoved: 0,
  };
}

const ZERO_COUNTS = {
  usersCreated: 0,
  usersUpdated: 0,
  usersRemoved: 0,
  sectionsCreated: 0,
  enrollmentsAdded: 0,
  enrollmentsRemoved: 0,
  guardianLinksAdded: 0,
  guardianLinksRemoved: 0,
};

/** A student, one of their sections, and that section's lead teacher, who teaches the student nowhere else. */
function studentWithSoleSharedSection(model: RosterModel) {
  const teachersOf = (section: string) =>
    model.enrollments
      .filter((e) => e.sectionSourcedId === section && e.role === 'teacher')
      .map((e) => e.userSourcedId);
  for (const enrollment of model.enrollments.filter((e) => e.role === 'student')) {
    const otherSections = model.enrollments
      .filter(
        (e) =>
          e.userSourcedId === enrollment.userSourcedId && e.sectionSourcedId !== enrollment.sectionSourcedId,
      )
      .map((e) => e.sectionSourcedId);
    const otherTeachers = new Set(otherSections.flatMap(teachersOf));
    const teacher = teachersOf(enrollment.sectionSourcedId).find((t) => !otherTeachers.has(t));
    if (teacher) return { student: enrollment.userSourcedId, section: enrollment.sectionSourcedId, teacher };
  }
  throw new Error('the generated roster has no such student');
}

describe('roster import through the API', () => {
  let stack: RosterImportStack;
  let api: RunningApi;
  let database: TestDatabase;
  let pool: Pool;
  let districtId: string;
  let adminToken: string;
  let temporal: Client | undefined;
  const roster = generateRoster({
    seed: 7,
    schools: 3,
    sections: 30,
    students: 300,
    guardiansPerStudent: 1.5,
  });
  /** The district's roster as the SIS knows it now: tests that re-import change it in turn. */
  let model = roster.model;

  beforeAll(async () => {
    stack = await startRosterImportStack('roster', {
      overrides: { ROSTER_UPLOAD_MAX_BYTES: String(UPLOAD_LIMIT) },
    });
    ({ api, database, pool } = stack);
    ({ districtId, token: adminToken } = await stack.newDistrict());
  }, 60_000);

  afterAll(async () => {
    await temporal?.connection.close();
    await stack?.stop();
  });

  /** The activity types the import's workflow scheduled, in order. */
  async function activitiesRun(workflowId: string): Promise<string[]> {
    temporal ??= await connectTestClient();
    const { events } = await temporal.workflow.getHandle(workflowId).fetchHistory();
    return (events ?? []).flatMap((event) => {
      const name = event.activityTaskScheduledEventAttributes?.activityType?.name;
      return name ? [name] : [];
    });
  }

  it('when a district admin uploads a generated roster, then the import succeeds with exactly the generated counts', async () => {
    expect(roster.zip.length).toBeLessThan(UPLOAD_LIMIT);
    const started = await uploadRoster(api.baseUrl, adminToken, roster.zip);
    expect(started.status).toBe(202);
    expect(started.body.workflowId).toBe(`roster-${districtId}-${started.body.importId}`);

    const result = await settledRosterImport(api.baseUrl, adminToken, started.body.importId);
    expect(result).toMatchObject({
      status: 'succeeded',
      source: 'upload',
      errors: [],
      errorCount: 0,
      warnings: [],
      warningCount: 0,
    });
    expect(result.counts).toMatchObject(firstImportCounts(roster.expected));
    expect(result.finishedAt).not.toBeNull();

    const { rows } = await pool.query(
      `SELECT role::text, count(*)::int AS n FROM users
       WHERE district_id = $1 AND role IN ('teacher', 'student', 'guardian') GROUP BY role`,
      [districtId],
    );
    expect(Object.fromEntries(rows.map((row: { role: string; n: number }) => [row.role, row.n]))).toEqual({
      teacher: roster.expected.users.teacher,
      student: roster.expected.users.student,
      guardian: roster.expected.users.guardian,
    });
    const succeeded = (await auditEvents(database.db, districtId)).filter(
      (e) => e.action === 'roster.import.succeeded',
    );
    expect(succeeded).toHaveLength(1);
    expect(succeeded[0]!.details).toMatchObject({ importId: started.body.importId, counts: result.counts });
  });

  it("when a district's first import finishes, then the planner counts its users and enrollments instead of guessing one row", async () => {
    // Until its statistics are refreshed PostgreSQL estimates an unseen district at one row, and the
    // fan-out's recipient queries then join users through the district index once per recipient:
    // quadratic, 17 s to over 60 s of planning for 10,000 recipients. Autovacuum's own refresh can
    // come before this reads the estimates and mask a missing one, but never fail a present one.
    const estimated = async (sql: string) => {
      const { rows } = await pool.query(`EXPLAIN (FORMAT JSON) ${sql}`, [districtId]);
      return (rows[0]['QUERY PLAN'] as { Plan: { 'Plan Rows': number } }[])[0]!.Plan['Plan Rows'];
    };
    const users =
      roster.expected.users.teacher + roster.expected.users.student + roster.expected.users.guardian;
    const enrollments = roster.expected.memberships.teacher + roster.expected.memberships.student;
    expect(users).toBeGreaterThanOrEqual(ANALYZE_AFTER_CHANGED_ROWS);
    expect(enrollments).toBeGreaterThanOrEqual(ANALYZE_AFTER_CHANGED_ROWS);
    expect(await estimated('SELECT id FROM users WHERE district_id = $1')).toBeGreaterThan(users / 2);
    expect(await estimated('SELECT id FROM section_memberships WHERE district_id = $1')).toBeGreaterThan(
      enrollments / 2,
    );
  });

  it('when the same export is uploaded again, then the import succeeds, every count is zero and no phase runs', async () => {
    const before = await dumpRoster(pool, districtId);
    const started = await uploadRoster(api.baseUrl, adminToken, roster.zip);
    const result = await settledRosterImport(api.baseUrl, adminToken, started.body.importId);
    expect(result.status).toBe('succeeded');
    expect(result.counts).toMatchObject(ZERO_COUNTS);
    expect(Object.values(result.counts).every((count) => count === 0)).toBe(true);
    expect(await dumpRoster(pool, districtId)).toBe(before);
    expect(await activitiesRun(started.body.workflowId)).toEqual([
      'validateRosterImport',
      'finishRosterImport',
    ]);
    const succeeded = (await auditEvents(database.db, districtId)).filter(
      (e) => e.action === 'roster.import.succeeded' && e.targetId === started.body.importId,
    );
    expect(succeeded).toHaveLength(1);
  });

  it('when the same content comes in another zip, then it is recognised as unchanged too', async () => {
    const rezipped = zipSync(unzipSync(roster.zip), { level: 0 });
    expect(Buffer.from(rezipped).equals(Buffer.from(roster.zip))).toBe(false);
    const started = await uploadRoster(api.baseUrl, adminToken, rezipped);
    const result = await settledRosterImport(api.baseUrl, adminToken, started.body.importId);
    expect(result.status).toBe('succeeded');
    expect(await activitiesRun(started.body.workflowId)).toEqual([
      'validateRosterImport',
      'finishRosterImport',
    ]);
  });

  it('when the roster tables changed since the export was applied, then the same export is diffed in full and restores them', async () => {
    const student = model.users.find((user) => user.role === 'student')!;
    const guardian = model.users.find((user) => user.role === 'guardian')!;
    const before = await dumpRoster(pool, districtId);
    await pool.query(`UPDATE users SET given_name = 'Tampered' WHERE district_id = $1 AND sourced_id = $2`, [
      districtId,
      student.sourcedId,
    ]);
    await pool.query(
      `DELETE FROM guardian_links WHERE district_id = $1
         AND guardian_id = (SELECT id FROM users WHERE district_id = $1 AND sourced_id = $2)`,
      [districtId, guardian.sourcedId],
    );
    const links = model.guardianLinks.filter((link) => link.guardianSourcedId === guardian.sourcedId).length;
    expect(links).toBeGreaterThan(0);

    const started = await uploadRoster(api.baseUrl, adminToken, roster.zip);
    const result = await settledRosterImport(api.baseUrl, adminToken, started.body.importId);
    expect(result.status).toBe('succeeded');
    expect(result.counts).toMatchObject({ ...ZERO_COUNTS, usersUpdated: 1, guardianLinksAdded: links });
    expect(await activitiesRun(started.body.workflowId)).toContain('applyRosterUsers');
    // The links come back as new rows and the student's row is rewritten (updated_at); the rest is as it was.
    const comparable = (dump: string) => {
      const tables = JSON.parse(dump) as Record<string, string[]>;
      const users = tables.users!.map((row) => ({ ...(JSON.parse(row) as object), updated_at: null }));
      return { ...tables, users, guardian_links: null };
    };
    expect(comparable(await dumpRoster(pool, districtId))).toEqual(comparable(before));
    const { rows } = await pool.query(
      `SELECT count(*)::int AS n FROM guardian_links l JOIN users g ON g.id = l.guardian_id
       WHERE l.district_id = $1 AND g.sourced_id = $2`,
      [districtId, guardian.sourcedId],
    );
    expect(rows).toEqual([{ n: links }]);
  });

  const refusedExports: [
    string,
    (zip: Uint8Array) => Uint8Array,
    { file: string; line: number; message: RegExp },
  ][] = [
    [
      'users.csv lacks a column Homeroom needs',
      (zip) => rewriteZip(zip, 'users.csv', (csv) => csv.replace(',username,', ',login,')),
      { file: 'users.csv', line: 1, message: /required column 'username' is missing/ },
    ],
    [
      'the manifest names a OneRoster version Homeroom does not read',
      (zip) =>
        rewriteZip(zip, 'manifest.csv', (csv) =>
          csv.replace('oneroster.version,1.1', 'oneroster.version,9.9'),
        ),
      { file: 'manifest.csv', line: 3, message: /'oneroster.version' is '9.9'/ },
    ],
    [
      'a quote left open swallows the rows after it',
      (zip) => rewriteZip(zip, 'enrollments.csv', (csv) => editCell(csv, 12, 'classSourcedId', '"cls-open')),
      { file: 'enrollments.csv', line: 12, message: /a quote is probably missing|never closed/ },
    ],
  ];

  it.each(refusedExports)(
    'when %s, then the import fails naming that file and line and the database is unchanged',
    async (_case, corrupt, expected) => {
      const before = await dumpRoster(pool, districtId);
      const started = await uploadRoster(api.baseUrl, adminToken, corrupt(roster.zip));
      expect(started.status).toBe(202);
      const result = await settledRosterImport(api.baseUrl, adminToken, started.body.importId);
      expect(result.status).toBe('failed');
      expect(result.errorCount).toBe(1);
      expect(result.errors).toEqual([
        { file: expected.file, line: expected.line, message: expect.stringMatching(expected.message) },
      ]);
      expect(result.counts).toMatchObject(ZERO_COUNTS);
      expect(await dumpRoster(pool, districtId)).toBe(before);
      const audited = (await auditEvents(database.db, districtId)).at(-1);
      expect(audited).toMatchObject({
        action: 'roster.import.failed',
        targetId: started.body.importId,
        details: { reason: 'invalid-export', errorsFound: 1 },
      });
    },
  );

  it('when most rows of a file cannot be used, then the export is refused, the first 1,000 errors are listed and errorCount gives the total', async () => {
    const big = generateRoster({ seed: 8, schools: 2, sections: 20, students: 800 });
    const everyRoleUnknown = rewriteZip(big.zip, 'users.csv', (csv) =>
      csv.replace(/,(student|teacher|parent|guardian|relative),/g, ',janitor,'),
    );
    const total = big.expected.users.teacher + big.expected.users.student + big.expected.users.guardian;
    expect(total).toBeGreaterThan(1_000);
    const started = await uploadRoster(api.baseUrl, adminToken, everyRoleUnknown);
    const result = await settledRosterImport(api.baseUrl, adminToken, started.body.importId);
    expect(result.status).toBe('failed');
    // One error says why the file is refused, then every row it could not use.
    expect(result.errorCount).toBe(total + 1);
    expect(result.errors).toHaveLength(1_000);
    expect(result.errors[0]).toMatchObject({ file: 'users.csv', line: 0 });
    expect(result.errors.slice(1).map((error) => error.line)).toEqual(
      Array.from({ length: 999 }, (_, i) => i + 2),
    );
  });

  it('when a re-import removes a student from a section, then the student loses access through it at once', async () => {
    const { student, section, teacher } = studentWithSoleSharedSection(model);
    const studentId = await idBySourcedId(pool, 'users', districtId, student);
    const teacherId = await idBySourcedId(pool, 'users', districtId, teacher);
    const studentToken = await signInAs(pool, districtId, studentId);
    const sectionTitle = model.sections.find((s) => s.sourcedId === section)!.title;

    const sectionsBefore = await request<{ title: string }[]>(api.baseUrl, 'GET', '/v1/sections', {
      token: studentToken,
    });
    expect(sectionsBefore.body.map((s) => s.title)).toContain(sectionTitle);
    const opened = await request(api.baseUrl, 'POST', '/v1/conversations', {
      token: studentToken,
      json: { participantId: teacherId },
    });
    expect(opened.status).toBe(201);

    model = withoutEnrollment(model, student, section);
    const started = await uploadRoster(api.baseUrl, adminToken, writeRosterZip(model));
    const result = await settledRosterImport(api.baseUrl, adminToken, started.body.importId);
    expect(result.status).toBe('succeeded');
    expect(result.counts).toMatchObject({ ...ZERO_COUNTS, enrollmentsRemoved: 1 });

    const sectionsAfter = await request<{ title: string }[]>(api.baseUrl, 'GET', '/v1/sections', {
      token: studentToken,
    });
    expect(sectionsAfter.status).toBe(200);
    expect(sectionsAfter.body.map((s) => s.title)).not.toContain(sectionTitle);
    const refused = await request(api.baseUrl, 'POST', '/v1/conversations', {
      token: studentToken,
      json: { participantId: teacherId },
    });
    expect(refused.status).toBe(403);
  });

  it('when a re-import lacks a user, then the user is deactivated, keeps their data and their token stops working', async () => {
    const leaving = model.users.find((user) => user.role === 'student' && user.sourcedId.endsWith('-42'))!;
    const leavingId = await idBySourcedId(pool, 'users', districtId, leaving.sourcedId);
    const token = await signInAs(pool, districtId, leavingId);
    expect((await request(api.baseUrl, 'GET', '/v1/me', { token })).status).toBe(200);
    const links = model.guardianLinks.filter((link) => link.studentSourcedId === leaving.sourcedId).length;
    const enrollments = model.enrollments.filter((e) => e.userSourcedId === leaving.sourcedId).length;

    model = withoutUser(model, leaving.sourcedId);
    const started = await uploadRoster(api.baseUrl, adminToken, writeRosterZip(model));
    const result = await settledRosterImport(api.baseUrl, adminToken, started.body.importId);
    expect(result.counts).toMatchObject({
      ...ZERO_COUNTS,
      usersRemoved: 1,
      enrollmentsRemoved: enrollments,
      guardianLinksRemoved: links,
    });

    expect((await request(api.baseUrl, 'GET', '/v1/me', { token })).status).toBe(401);
    const { rows } = await pool.query(
      `SELECT u.active, u.deactivated_at, u.given_name,
              (SELECT count(*)::int FROM sessions s WHERE s.user_id = u.id AND s.revoked_at IS NULL) AS live
       FROM users u WHERE u.id = $1`,
      [leavingId],
    );
    expect(rows[0]).toMatchObject({ active: false, given_name: leaving.givenName, live: 0 });
    expect(rows[0].deactivated_at).not.toBeNull();
  });

  it('when a delta export arrives, then only the changes it carries are applied', async () => {
    const { student, section } = studentWithSoleSharedSection(model);
    const teacher = model.users.find((user) => user.role === 'teacher')!;
    const after = withUserChanges(withoutEnrollment(model, student, section), teacher.sourcedId, {
      givenName: 'Renamed',
    });
    const started = await uploadRoster(api.baseUrl, adminToken, writeDeltaZip(model, after));
    const result = await settledRosterImport(api.baseUrl, adminToken, started.body.importId);
    expect(result.status).toBe('succeeded');
    expect(result.counts).toMatchObject({ ...ZERO_COUNTS, usersUpdated: 1, enrollmentsRemoved: 1 });
    model = after;
    const { rows } = await pool.query(
      'SELECT given_name FROM users WHERE district_id = $1 AND sourced_id = $2',
      [districtId, teacher.sourcedId],
    );
    expect(rows).toEqual([{ given_name: 'Renamed' }]);

    const again = await uploadRoster(api.baseUrl, adminToken, writeRosterZip(model));
    const settled = await settledRosterImport(api.baseUrl, adminToken, again.body.importId);
    expect(Object.values(settled.counts).every((count) => count === 0)).toBe(true);
  });

  it('when the upload has no file, is not a zip or is too large, then it is refused with 400, 415 and 413', async () => {
    expect((await uploadRoster(api.baseUrl, adminToken, roster.zip, 'document')).status).toBe(400);
    const notZip = await uploadRoster(api.baseUrl, adminToken, Buffer.from('sourcedId,status\n1,active\n'));
    expect(notZip.status).toBe(415);
    expect(notZip.body.error?.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const huge = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), randomBytes(UPLOAD_LIMIT + 1024)]);
    const tooLarge = await uploadRoster(api.baseUrl, adminToken, huge);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error?.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('when someone other than a district admin uploads, then 403; when another district reads an import, then 404', async () => {
    // Made by hand (no sourcedId), so the roster imports below leave the account alone.
    const teacher = await createActiveUserWithPassword(database.db, districtId, {
      role: 'teacher',
      sourcedId: null,
    });
    const teacherToken = await signIn(api.baseUrl, teacher);
    expect((await uploadRoster(api.baseUrl, teacherToken, roster.zip)).status).toBe(403);

    const started = await uploadRoster(api.baseUrl, adminToken, writeRosterZip(model));
    await settledRosterImport(api.baseUrl, adminToken, started.body.importId);
    const { token: otherToken } = await stack.newDistrict();
    const foreign = await request(api.baseUrl, 'GET', `/v1/admin/roster/imports/${started.body.importId}`, {
      token: otherToken,
    });
    expect(foreign.status).toBe(404);
    expect(
      (
        await request(api.baseUrl, 'GET', `/v1/admin/roster/imports/${started.body.importId}`, {
          token: teacherToken,
        })
      ).status,
    ).toBe(403);
  });
});

/** Replaces one cell of a CSV line (1-based, the header is line 1), by column name. */
function editCell(csv: string, line: number, column: string, value: string): string {
  const lines = csv.split('\n');
  const header = lines[0]!.replace(/^\uFEFF/, '').split(',');
  const index = header.indexOf(column);
  if (index < 0) throw new Error(`no column ${column}`);
  const cells = splitCsvLine(lines[line - 1]!);
  cells[index] = value;
  lines[line - 1] = cells.join(',');
  return lines.join('\n');
}

/** Splits a CSV line into raw cells, keeping quoted cells (with their quotes) intact. */
function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (const char of line) {
    if (char === '"') quoted = !quoted;
    if (char === ',' && !quoted) {
      cells.push(cell);
      cell = '';
    } else {
      cell += char;
    }
  }
  cells.push(cell);
  return cells;
}
