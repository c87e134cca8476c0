import { type Pool } from 'pg';
import { createTestPool } from '../support/database';
import { createDistrict, openTestDatabase, type TestDatabase } from '../support/factories';

/**
 * The roster fingerprint decides whether a re-import may skip every phase, so it must change with
 * every column an import's diff reads, in each of the five roster tables, and with any row added or
 * removed; and it must not depend on what the import never reads (or a password change would make
 * every nightly import diff in full).
 */
describe('the roster fingerprint of a district', () => {
  let database: TestDatabase;
  let pool: Pool;
  let districtId: string;
  let otherDistrictId: string;
  const ids: Record<string, string> = {};

  const fingerprint = (district = districtId) => database.db.forDistrict(district).rosterSync.fingerprint();

  beforeAll(async () => {
    database = openTestDatabase();
    pool = createTestPool();
    districtId = await createDistrict(database.db);
    otherDistrictId = await createDistrict(database.db);
    const sync = database.db.forDistrict(districtId).rosterSync;
    await sync.insertSchools([{ sourcedId: 'sch-1', name: 'North' }]);
    const [school] = await sync.loadSchools();
    await sync.insertSections([{ sourcedId: 'sec-1', schoolId: school!.id, title: 'Algebra' }]);
    const [section] = await sync.loadSections();
    const person = { givenName: 'Ada', familyName: 'Byron', email: null, preferredLanguage: 'en' };
    await sync.insertUsers(
      [
        {
          ...person,
          sourcedId: 'stu-1',
          role: 'student',
          username: 'ada',
          active: true,
          schoolId: school!.id,
        },
        { ...person, sourcedId: 'grd-1', role: 'guardian', username: 'anne', active: true, schoolId: null },
      ],
      new Date(),
    );
    const users = await sync.loadUsers();
    const student = users.find((user) => user.sourcedId === 'stu-1')!;
    const guardian = users.find((user) => user.sourcedId === 'grd-1')!;
    await sync.insertMemberships([
      { sectionId: section!.id, userId: student.id, role: 'student', isPrimary: false, sourcedId: 'enr-1' },
    ]);
    await sync.insertGuardianLinks([{ guardianId: guardian.id, studentId: student.id }]);
    Object.assign(ids, {
      school: school!.id,
      section: section!.id,
      student: student.id,
      guardian: guardian.id,
      membership: (await sync.loadMemberships())[0]!.id,
      link: (await sync.loadGuardianLinks())[0]!.id,
    });
  });

  afterAll(async () => {
    await pool?.end();
    await database?.close();
  });

  it('when nothing changed, then it is the same; another district has its own', async () => {
    expect(await fingerprint()).toBe(await fingerprint());
    expect(await fingerprint(otherDistrictId)).not.toBe(await fingerprint());
  });

  const columnsTheDiffReads: [table: string, idKey: string, column: string, changed: string][] = [
    ['schools', 'school', 'name', `'South'`],
    ['schools', 'school', 'sourced_id', `'sch-9'`],
    ['schools', 'school', 'active', 'false'],
    ['sections', 'section', 'title', `'Geometry'`],
    ['sections', 'section', 'sourced_id', `'sec-9'`],
    ['sections', 'section', 'active', 'false'],
    ['users', 'student', 'role', `'teacher'`],
    ['users', 'student', 'username', `'ada2'`],
    ['users', 'student', 'given_name', `'Eve'`],
    ['users', 'student', 'family_name', `'Lovelace'`],
    ['users', 'student', 'email', `'ada@example.test'`],
    ['users', 'student', 'preferred_language', `'es'`],
    ['users', 'student', 'active', 'false'],
    ['users', 'student', 'school_id', 'NULL'],
    ['users', 'student', 'sourced_id', `'stu-9'`],
    ['section_memberships', 'membership', 'role', `'teacher'`],
    ['section_memberships', 'membership', 'is_primary', 'true'],
    ['section_memberships', 'membership', 'sourced_id', `'enr-9'`],
  ];

  it.each(columnsTheDiffReads)(
    'when %s.%s changes, then it changes, and it is back when the value is',
    async (table, idKey, column, changed) => {
      const before = await fingerprint();
      const { rows } = await pool.query(`SELECT ${column} AS value FROM ${table} WHERE id = $1`, [
        ids[idKey],
      ]);
      const original = rows[0].value as unknown;
      await pool.query(`UPDATE ${table} SET ${column} = ${changed} WHERE id = $1`, [ids[idKey]]);
      expect(await fingerprint()).not.toBe(before);
      await pool.query(`UPDATE ${table} SET ${column} = $2 WHERE id = $1`, [ids[idKey], original]);
      expect(await fingerprint()).toBe(before);
    },
  );

  it('when a membership or guardian link is removed and added back under a new id, then it changes', async () => {
    const before = await fingerprint();
    await pool.query(
      `WITH gone AS (DELETE FROM guardian_links WHERE id = $1 RETURNING district_id, guardian_id, student_id)
       INSERT INTO guardian_links (district_id, guardian_id, student_id) SELECT * FROM gone`,
      [ids.link],
    );
    const relinked = await fingerprint();
    expect(relinked).not.toBe(before);
    await pool.query('DELETE FROM section_memberships WHERE id = $1', [ids.membership]);
    expect(await fingerprint()).not.toBe(relinked);
  });

  it('when only what the import never reads changes (password, suspension), then it stays', async () => {
    const before = await fingerprint();
    await pool.query(
      `UPDATE users SET password_hash = 'not-a-real-hash', suspended_at = now(), updated_at = now()
       WHERE id = $1`,
      [ids.guardian],
    );
    expect(await fingerprint()).toBe(before);
  });
});
