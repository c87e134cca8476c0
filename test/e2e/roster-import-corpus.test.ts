import { type Pool } from 'pg';
import { auditEvents, type TestDatabase } from '../support/factories';
import { request, type RunningApi } from '../support/http';
import { fixtureZip, withoutRows, type FixtureSet } from '../support/oneroster-fixtures';
import { signInAs } from '../support/roster-factory';
import {
  type RosterFileProblem,
  type RosterImportStack,
  type RosterImportView,
  settledRosterImport,
  startRosterImport,
  startRosterImportStack,
} from '../support/roster-imports';

const CONTRADICTING_ENROLLMENTS: RosterFileProblem[] = [
  {
    file: 'enrollments.csv',
    line: 7,
    message:
      "role teacher contradicts the role of user 'q-s3' in users.csv (student): the enrollment is skipped",
  },
  {
    file: 'enrollments.csv',
    line: 10,
    message:
      "role student contradicts the role of user 'q-g1' in users.csv (parent): the enrollment is skipped",
  },
];

/**
 * The test corpus (test/fixtures/oneroster) imported through the API by the real worker, one district
 * per set: what each set means is applied, doubtful rows are skipped and listed as warnings, and a bad
 * row does not hold back the rest, removals included.
 */
describe('roster imports of real-world OneRoster sets', () => {
  let stack: RosterImportStack;
  let api: RunningApi;
  let database: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    stack = await startRosterImportStack('roster-corpus');
    ({ api, database, pool } = stack);
  }, 60_000);

  afterAll(() => stack?.stop());

  async function importZip(token: string, zip: Uint8Array): Promise<RosterImportView> {
    const { importId } = await startRosterImport(api.baseUrl, token, zip);
    return settledRosterImport(api.baseUrl, token, importId);
  }

  async function importSet(set: FixtureSet) {
    const district = await stack.newDistrict();
    return { ...district, result: await importZip(district.token, fixtureZip(set)) };
  }

  /** The district's roster accounts (its admin is not one) by sourcedId. */
  async function usersOf(districtId: string): Promise<Record<string, { role: string; active: boolean }>> {
    const { rows } = await pool.query(
      `SELECT sourced_id, role::text AS role, active FROM users
       WHERE district_id = $1 AND role IN ('teacher', 'student', 'guardian') ORDER BY sourced_id`,
      [districtId],
    );
    return Object.fromEntries(
      rows.map((row: { sourced_id: string; role: string; active: boolean }) => [
        row.sourced_id,
        { role: row.role, active: row.active },
      ]),
    );
  }

  /** `section/user/role` for every membership of the district. */
  async function membershipsOf(districtId: string): Promise<string[]> {
    const { rows } = await pool.query(
      `SELECT s.sourced_id AS section, u.sourced_id AS user, m.role::text AS role
       FROM section_memberships m JOIN sections s ON s.id = m.section_id JOIN users u ON u.id = m.user_id
       WHERE m.district_id = $1 ORDER BY 1, 2`,
      [districtId],
    );
    return rows.map(
      (row: { section: string; user: string; role: string }) => `${row.section}/${row.user}/${row.role}`,
    );
  }

  async function idOf(districtId: string, sourcedId: string): Promise<string> {
    const { rows } = await pool.query('SELECT id FROM users WHERE district_id = $1 AND sourced_id = $2', [
      districtId,
      sourcedId,
    ]);
    if (rows.length !== 1) throw new Error(`no user ${sourcedId}`);
    return (rows[0] as { id: string }).id;
  }

  let quirks: { districtId: string; token: string };

  it('when a 1.1 set with active statuses, Scheduled classes, vendor columns and role-contradicting enrollments is imported, then it applies with those enrollments skipped as warnings', async () => {
    const { districtId, token, result } = await importSet('v1.1-vendor-quirks');
    quirks = { districtId, token };

    expect(result).toMatchObject({ status: 'succeeded', errors: [], errorCount: 0, warningCount: 6 });
    expect(result.counts).toMatchObject({
      usersCreated: 9,
      sectionsCreated: 3,
      enrollmentsAdded: 7,
      guardianLinksAdded: 2,
    });
    expect(result.warnings).toEqual(expect.arrayContaining(CONTRADICTING_ENROLLMENTS));
    expect(result.warnings).toContainEqual({
      file: 'classes.csv',
      line: 1,
      message: 'columns that OneRoster does not define are ignored: ext_acme_section_id',
    });
    expect(await membershipsOf(districtId)).toEqual([
      'q-class-art/q-s1/student',
      'q-class-art/q-t2/teacher',
      'q-class-home/q-s4/student',
      'q-class-home/q-t3/teacher',
      'q-class-math/q-s1/student',
      'q-class-math/q-s2/student',
      'q-class-math/q-t1/teacher',
    ]);
    expect(await usersOf(districtId)).not.toHaveProperty('q-a1');

    // Fail-closed: the student enrolled as teacher is nobody's teacher and sees no section through it.
    const studentToken = await signInAs(pool, districtId, await idOf(districtId, 'q-s3'));
    const sections = await request<unknown[]>(api.baseUrl, 'GET', '/v1/sections', { token: studentToken });
    expect(sections).toMatchObject({ status: 200, body: [] });
    const stored = await request<RosterImportView>(
      api.baseUrl,
      'GET',
      `/v1/admin/roster/imports/${result.importId}`,
      {
        token,
      },
    );
    expect(stored.body.warnings).toEqual(result.warnings);
    const audited = (await auditEvents(database.db, districtId)).at(-1);
    expect(audited).toMatchObject({ action: 'roster.import.succeeded', details: { warningsFound: 6 } });
  });

  it('when the next export drops a departed teacher and has one bad row, then the teacher is removed from their section and loses access at once', async () => {
    const { districtId, token } = quirks;
    const teacherToken = await signInAs(pool, districtId, await idOf(districtId, 'q-t2'));
    const before = await request<{ title: string }[]>(api.baseUrl, 'GET', '/v1/sections', {
      token: teacherToken,
    });
    expect(before.body.map((section) => section.title)).toEqual(['Art 5']);

    const badRow = 'q-e11,active,2025-09-01T08:00:00.000Z,q-class-home,q-school-2,q-s1,student,maybe,,\n';
    const nextDay = fixtureZip('v1.1-vendor-quirks', {
      'users.csv': withoutRows('q-t2'),
      'enrollments.csv': (text) => `${withoutRows('q-e4')(text)}${badRow}`,
    });
    // The fixture district is tiny: one departure is more than the default 10% of its users, which
    // would hold the import as a mass change (test/e2e/roster-holds.test.ts). Its admin allows more.
    const settings = await request(api.baseUrl, 'PUT', '/v1/admin/roster/settings', {
      token,
      json: { massChangeThresholdPercent: 50, source: { kind: 'csv' } },
    });
    expect(settings.status).toBe(200);
    const result = await importZip(token, nextDay);

    expect(result.status).toBe('succeeded');
    expect(result.counts).toMatchObject({ usersRemoved: 1, enrollmentsRemoved: 1, enrollmentsAdded: 0 });
    expect(result.warnings).toContainEqual({
      file: 'enrollments.csv',
      line: 11,
      message: "primary must be true or false, not 'maybe'",
    });
    expect(await membershipsOf(districtId)).not.toContain('q-class-art/q-t2/teacher');
    expect((await usersOf(districtId))['q-t2']).toEqual({ role: 'teacher', active: false });
    expect((await request(api.baseUrl, 'GET', '/v1/sections', { token: teacherToken })).status).toBe(401);
  });

  it('when a OneRoster 1.0 set without a manifest is imported, then its 1.0 column names are read', async () => {
    const { districtId, result } = await importSet('v1.0-no-manifest');

    expect(result).toMatchObject({ status: 'succeeded', errorCount: 0 });
    expect(result.counts).toMatchObject({
      usersCreated: 4,
      sectionsCreated: 2,
      enrollmentsAdded: 4,
      guardianLinksAdded: 2,
    });
    expect(result.warnings[0]).toEqual({
      file: 'manifest.csv',
      line: 0,
      message: expect.stringMatching(/read as a OneRoster 1.0 bulk export/),
    });
    expect(await usersOf(districtId)).toEqual({
      'o-p1': { role: 'guardian', active: true },
      'o-s1': { role: 'student', active: true },
      'o-s2': { role: 'student', active: true },
      'o-t1': { role: 'teacher', active: true },
    });
  });

  it('when a OneRoster 1.2 set is imported, then roles.csv decides each role and the person with no primary role is skipped', async () => {
    const { districtId, result } = await importSet('v1.2-roles');

    expect(result).toMatchObject({ status: 'succeeded', errorCount: 0, warningCount: 1 });
    expect(result.counts).toMatchObject({
      usersCreated: 5,
      sectionsCreated: 2,
      enrollmentsAdded: 5,
      guardianLinksAdded: 1,
    });
    expect(result.warnings).toEqual([
      {
        file: 'users.csv',
        line: 7,
        message: 'roles.csv gives this user several roles and no single primary one',
      },
    ]);
    const users = await usersOf(districtId);
    expect(Object.keys(users)).toEqual(['v-g1', 'v-s1', 'v-s2', 'v-t1', 'v-t2']);
    expect(users['v-t1']).toEqual({ role: 'teacher', active: true });
    expect(await membershipsOf(districtId)).not.toContain('v-class-2/v-x1/teacher');
  });

  it('when a set has a row with one field more than its header, then that row alone is skipped', async () => {
    const { districtId, result } = await importSet('v1.1-mixed-names-long-row');

    expect(result.status).toBe('succeeded');
    expect(result.warnings).toContainEqual({
      file: 'users.csv',
      line: 5,
      message: 'the row has 18 fields but the header has 17',
    });
    expect(result.counts).toMatchObject({ usersCreated: 4, sectionsCreated: 3, enrollmentsAdded: 5 });
    expect(Object.keys(await usersOf(districtId))).toEqual(['m-s1', 'm-s3', 'm-t1', 'm-t2']);
  });

  it('when a set lacks a required file, then the import fails with an error, no warning, and changes nothing', async () => {
    const { districtId, result } = await importSet('invalid-missing-enrollments');

    expect(result).toMatchObject({
      status: 'failed',
      errors: [
        {
          file: 'enrollments.csv',
          line: 0,
          message: 'the manifest lists enrollments.csv as bulk but the archive lacks it',
        },
      ],
      errorCount: 1,
      warnings: [],
      warningCount: 0,
    });
    expect(await usersOf(districtId)).toEqual({});
  });
});
