import { randomUUID } from 'node:crypto';
import { type Pool } from 'pg';
import { hashToken, randomToken } from '../../libs/crypto/hashing';
import { ROSTER_TABLES } from '../../libs/db/database';
import { ANALYZE_AFTER_CHANGED_ROWS } from '../../libs/roster-import/roster-importer';

/**
 * Rosters for messaging tests, written straight into PostgreSQL with one multi-row INSERT per table, so
 * a section of 20,000 recipients takes a second or two. Every user gets a unique name and e-mail
 * address, which privacy tests then look for where they must not be.
 */

export type RosterRole = 'student' | 'teacher' | 'guardian' | 'school_admin' | 'district_admin';

export interface RosterUserRow {
  id: string;
  role: RosterRole;
  givenName: string;
  familyName: string;
  email: string;
}

export interface SectionFixture {
  districtId: string;
  schoolId: string;
  sectionId: string;
  teachers: RosterUserRow[];
  students: RosterUserRow[];
  /** guardians[i] is linked to students[i] (when guardiansPerStudent is 1). */
  guardians: RosterUserRow[];
}

export async function createDistrict(pool: Pool, name = `District ${randomUUID().slice(0, 8)}`) {
  const districtId = randomUUID();
  await pool.query('INSERT INTO districts (id, name) VALUES ($1, $2)', [districtId, name]);
  const schoolId = await createSchool(pool, districtId, 'School');
  return { districtId, schoolId };
}

/** Another school of the district; returns its id. */
export async function createSchool(pool: Pool, districtId: string, name: string): Promise<string> {
  const schoolId = randomUUID();
  await pool.query('INSERT INTO schools (id, district_id, name) VALUES ($1, $2, $3)', [
    schoolId,
    districtId,
    name,
  ]);
  return schoolId;
}

export async function createUsers(
  pool: Pool,
  districtId: string,
  role: RosterRole,
  count: number,
  schoolId: string | null = null,
): Promise<RosterUserRow[]> {
  const users: RosterUserRow[] = Array.from({ length: count }, () => {
    const tag = randomUUID().replaceAll('-', '').slice(0, 12);
    return {
      id: randomUUID(),
      role,
      givenName: `Given${tag}`,
      familyName: `Family${tag}`,
      email: `user.${tag}@example.test`,
    };
  });
  for (const chunk of chunks(users, 10_000)) {
    await pool.query(
      `INSERT INTO users (id, district_id, role, given_name, family_name, email, school_id, username)
       SELECT id, $2::uuid, $3::user_role, given, family, email, $4::uuid, 'u-' || id::text
       FROM unnest($1::uuid[], $5::text[], $6::text[], $7::text[]) AS t(id, given, family, email)`,
      [
        chunk.map((u) => u.id),
        districtId,
        role,
        schoolId,
        chunk.map((u) => u.givenName),
        chunk.map((u) => u.familyName),
        chunk.map((u) => u.email),
      ],
    );
  }
  return users;
}

export async function createSection(
  pool: Pool,
  districtId: string,
  schoolId: string,
  members: { teachers?: readonly RosterUserRow[]; students?: readonly RosterUserRow[] } = {},
): Promise<string> {
  const sectionId = randomUUID();
  await pool.query('INSERT INTO sections (id, district_id, school_id, title) VALUES ($1, $2, $3, $4)', [
    sectionId,
    districtId,
    schoolId,
    `Section ${sectionId.slice(0, 8)}`,
  ]);
  await enroll(pool, districtId, sectionId, 'teacher', members.teachers ?? []);
  await enroll(pool, districtId, sectionId, 'student', members.students ?? []);
  return sectionId;
}

export async function enroll(
  pool: Pool,
  districtId: string,
  sectionId: string,
  role: 'teacher' | 'student',
  users: readonly RosterUserRow[],
): Promise<void> {
  for (const chunk of chunks(users, 10_000)) {
    await pool.query(
      `INSERT INTO section_memberships (district_id, section_id, user_id, role, is_primary)
       SELECT $1::uuid, $2::uuid, id, $3::membership_role, $4 FROM unnest($5::uuid[]) AS t(id)`,
      [districtId, sectionId, role, role === 'teacher', chunk.map((u) => u.id)],
    );
  }
}

export async function linkGuardians(
  pool: Pool,
  districtId: string,
  links: readonly { guardianId: string; studentId: string }[],
): Promise<void> {
  for (const chunk of chunks(links, 10_000)) {
    await pool.query(
      `INSERT INTO guardian_links (district_id, guardian_id, student_id)
       SELECT $1::uuid, g, s FROM unnest($2::uuid[], $3::uuid[]) AS t(g, s)`,
      [districtId, chunk.map((l) => l.guardianId), chunk.map((l) => l.studentId)],
    );
  }
}

/** A district with one section: its teachers, students and one linked guardian per student. */
export async function createSectionFixture(
  pool: Pool,
  options: { students: number; teachers?: number; guardiansPerStudent?: 0 | 1 },
): Promise<SectionFixture> {
  const { districtId, schoolId } = await createDistrict(pool);
  const teachers = await createUsers(pool, districtId, 'teacher', options.teachers ?? 1, schoolId);
  const students = await createUsers(pool, districtId, 'student', options.students, schoolId);
  const guardians =
    (options.guardiansPerStudent ?? 1) === 1
      ? await createUsers(pool, districtId, 'guardian', options.students)
      : [];
  const sectionId = await createSection(pool, districtId, schoolId, { teachers, students });
  await linkGuardians(
    pool,
    districtId,
    guardians.map((g, i) => ({ guardianId: g.id, studentId: students[i]!.id })),
  );
  // A stand-in for a roster import, so it leaves the planner statistics as the import does
  // (RosterImporter.applyPhase): a large section of a new district is not planned as one row.
  if (teachers.length + students.length + guardians.length >= ANALYZE_AFTER_CHANGED_ROWS)
    await pool.query(`ANALYZE ${ROSTER_TABLES.join(', ')}`);
  return { districtId, schoolId, sectionId, teachers, students, guardians };
}

/** A live session for the user, as sign-in would create it; returns the bearer token. */
export async function signInAs(pool: Pool, districtId: string, userId: string): Promise<string> {
  const token = randomToken();
  await pool.query(
    `INSERT INTO sessions (district_id, user_id, token_hash, expires_at)
     VALUES ($1, $2, $3, now() + interval '1 hour')`,
    [districtId, userId, hashToken(token)],
  );
  return token;
}

/** Sessions for many users in one statement; tokens in the order of `userIds`. */
export async function signInMany(
  pool: Pool,
  districtId: string,
  userIds: readonly string[],
): Promise<string[]> {
  const tokens = userIds.map(() => randomToken());
  await pool.query(
    `INSERT INTO sessions (district_id, user_id, token_hash, expires_at)
     SELECT $1::uuid, u, h, now() + interval '1 hour' FROM unnest($2::uuid[], $3::text[]) AS t(u, h)`,
    [districtId, userIds, tokens.map(hashToken)],
  );
  return tokens;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
