import { type MembershipRole, type UserRole } from '../generated/enums';
import { type DbClient } from '../db-client';
import { preparedStatement, runPrepared } from '../prisma';

/*
 * The roster tables as the importer sees them, and the batched writes it applies. Every write is one
 * statement over arrays (unnest), guarded so that it changes only what still differs (ON CONFLICT DO
 * NOTHING, IS DISTINCT FROM, `AND active`) and returns how many rows it really changed: a batch
 * replayed after a crash changes nothing and counts nothing.
 */

export interface RosterSchoolRow {
  id: string;
  sourcedId: string | null;
  name: string;
  active: boolean;
}

export interface RosterSectionRow {
  id: string;
  sourcedId: string | null;
  schoolId: string;
  title: string;
  active: boolean;
}

export interface RosterUserRow {
  id: string;
  sourcedId: string | null;
  role: UserRole;
  username: string | null;
  givenName: string;
  familyName: string;
  email: string | null;
  preferredLanguage: string;
  active: boolean;
  schoolId: string | null;
}

export interface RosterMembershipRow {
  id: string;
  sectionId: string;
  userId: string;
  role: MembershipRole;
  isPrimary: boolean;
  sourcedId: string | null;
}

export interface RosterGuardianLinkRow {
  id: string;
  guardianId: string;
  studentId: string;
}

export interface SchoolValues {
  sourcedId: string;
  name: string;
}

export interface SectionValues {
  sourcedId: string;
  schoolId: string;
  title: string;
}

/** A roster user's values as the export states them; `active` false for `enabledUser=false`. */
export interface UserValues {
  sourcedId: string;
  role: UserRole;
  username: string;
  givenName: string;
  familyName: string;
  email: string | null;
  preferredLanguage: string;
  active: boolean;
  schoolId: string | null;
}

export interface MembershipValues {
  sectionId: string;
  userId: string;
  role: MembershipRole;
  isPrimary: boolean;
  sourcedId: string;
}

/*
 * The whole-district loads each phase diffs against: 100,000+ rows for a large district, read several
 * times per import. They go straight to node-postgres (runPrepared) rather than through findMany, whose
 * per-row mapping cost about twice the time and most of the worker's garbage collection.
 */
const LOAD_SECTIONS = preparedStatement(
  'roster_load_sections',
  `SELECT id, sourced_id AS "sourcedId", school_id AS "schoolId", title, active
   FROM sections WHERE district_id = $1::uuid`,
);
const LOAD_USERS = preparedStatement(
  'roster_load_users',
  `SELECT id, sourced_id AS "sourcedId", role::text AS role, username, given_name AS "givenName",
          family_name AS "familyName", email, preferred_language AS "preferredLanguage", active,
          school_id AS "schoolId"
   FROM users WHERE district_id = $1::uuid`,
);
const LOAD_MEMBERSHIPS = preparedStatement(
  'roster_load_memberships',
  `SELECT id, section_id AS "sectionId", user_id AS "userId", role::text AS role,
          is_primary AS "isPrimary", sourced_id AS "sourcedId"
   FROM section_memberships WHERE district_id = $1::uuid`,
);
const LOAD_MEMBERSHIP_PAIRS = preparedStatement(
  'roster_load_membership_pairs',
  `SELECT section_id AS "sectionId", user_id AS "userId" FROM section_memberships WHERE district_id = $1::uuid`,
);
const LOAD_GUARDIAN_LINKS = preparedStatement(
  'roster_load_guardian_links',
  `SELECT id, guardian_id AS "guardianId", student_id AS "studentId"
   FROM guardian_links WHERE district_id = $1::uuid`,
);

export class RosterSyncRepository {
  constructor(
    private readonly prisma: DbClient,
    private readonly districtId: string,
  ) {}

  loadSchools(): Promise<RosterSchoolRow[]> {
    return this.prisma.school.findMany({
      where: { districtId: this.districtId },
      select: { id: true, sourcedId: true, name: true, active: true },
    });
  }

  loadSections(): Promise<RosterSectionRow[]> {
    return runPrepared<RosterSectionRow>(this.prisma, LOAD_SECTIONS, [this.districtId]);
  }

  /** Every user of the district, admins and hand-made accounts included (usernames are district-wide). */
  loadUsers(): Promise<RosterUserRow[]> {
    return runPrepared<RosterUserRow>(this.prisma, LOAD_USERS, [this.districtId]);
  }

  loadMemberships(): Promise<RosterMembershipRow[]> {
    return runPrepared<RosterMembershipRow>(this.prisma, LOAD_MEMBERSHIPS, [this.districtId]);
  }

  /**
   * Every membership as its section and user only: what a bulk export's kept enrollments are compared
   * with to count the ones it ends. A plain scan: a join here is planned badly on freshly loaded
   * tables whose statistics are not gathered yet.
   */
  loadMembershipPairs(): Promise<{ sectionId: string; userId: string }[]> {
    return runPrepared<{ sectionId: string; userId: string }>(this.prisma, LOAD_MEMBERSHIP_PAIRS, [
      this.districtId,
    ]);
  }

  loadGuardianLinks(): Promise<RosterGuardianLinkRow[]> {
    return runPrepared<RosterGuardianLinkRow>(this.prisma, LOAD_GUARDIAN_LINKS, [this.districtId]);
  }

  /**
   * A fingerprint of every column the importer's diffs read, over the district's schools, sections,
   * users, memberships and guardian links: per table the row count and the sum of a 64-bit hash of
   * each row's text (order-free, so no sort), computed in PostgreSQL so no row leaves it. Any insert,
   * delete or change of one of those columns changes it; columns the importer never reads (sessions,
   * suspension, passwords) do not.
   */
  async fingerprint(): Promise<string> {
    const rows = await this.prisma.$queryRaw<{ fingerprint: string }[]>`
      SELECT concat_ws('/',
        (SELECT count(*) || ':' || coalesce(sum(hashtextextended(ROW(id, sourced_id, name, active)::text, 0)), 0)
           FROM schools WHERE district_id = ${this.districtId}::uuid),
        (SELECT count(*) || ':' || coalesce(sum(hashtextextended(
                  ROW(id, sourced_id, school_id, title, active)::text, 0)), 0)
           FROM sections WHERE district_id = ${this.districtId}::uuid),
        (SELECT count(*) || ':' || coalesce(sum(hashtextextended(
                  ROW(id, sourced_id, role, username, given_name, family_name, email, preferred_language,
                      active, school_id)::text, 0)), 0)
           FROM users WHERE district_id = ${this.districtId}::uuid),
        (SELECT count(*) || ':' || coalesce(sum(hashtextextended(
                  ROW(id, section_id, user_id, role, is_primary, sourced_id)::text, 0)), 0)
           FROM section_memberships WHERE district_id = ${this.districtId}::uuid),
        (SELECT count(*) || ':' || coalesce(sum(hashtextextended(ROW(id, guardian_id, student_id)::text, 0)), 0)
           FROM guardian_links WHERE district_id = ${this.districtId}::uuid)
      ) AS fingerprint`;
    return rows[0]!.fingerprint;
  }

  insertSchools(rows: readonly SchoolValues[]): Promise<number> {
    if (rows.length === 0) return Promise.resolve(0);
    return this.prisma.$executeRaw`
      INSERT INTO schools (district_id, sourced_id, name)
      SELECT ${this.districtId}::uuid, t.sourced_id, t.name
      FROM unnest(${rows.map((r) => r.sourcedId)}::text[], ${rows.map((r) => r.name)}::text[])
        AS t(sourced_id, name)
      ON CONFLICT (district_id, sourced_id) DO NOTHING`;
  }

  /** Sets name and reactivates; `id` names the row. */
  updateSchools(rows: readonly (SchoolValues & { id: string })[]): Promise<number> {
    if (rows.length === 0) return Promise.resolve(0);
    return this.prisma.$executeRaw`
      UPDATE schools AS s SET name = t.name, active = true, updated_at = now()
      FROM unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.name)}::text[]) AS t(id, name)
      WHERE s.id = t.id AND s.district_id = ${this.districtId}::uuid
        AND (s.name, s.active) IS DISTINCT FROM (t.name, true)`;
  }

  deactivateSchools(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return Promise.resolve(0);
    return this.prisma.$executeRaw`
      UPDATE schools SET active = false, updated_at = now()
      WHERE district_id = ${this.districtId}::uuid AND id = ANY(${ids}::uuid[]) AND active`;
  }

  insertSections(rows: readonly SectionValues[]): Promise<number> {
    if (rows.length === 0) return Promise.resolve(0);
    return this.prisma.$executeRaw`
      INSERT INTO sections (district_id, sourced_id, school_id, title)
      SELECT ${this.districtId}::uuid, t.sourced_id, t.school_id, t.title
      FROM unnest(
        ${rows.map((r) => r.sourcedId)}::text[],
        ${rows.map((r) => r.schoolId)}::uuid[],
        ${rows.map((r) => r.title)}::text[]
      ) AS t(sourced_id, school_id, title)
      ON CONFLICT (district_id, sourced_id) DO NOTHING`;
  }

  /** Sets title and school and reactivates. */
  updateSections(rows: readonly (SectionValues & { id: string })[]): Promise<number> {
    if (rows.length === 0) return Promise.resolve(0);
    return this.prisma.$executeRaw`
      UPDATE sections AS s SET title = t.title, school_id = t.school_id, active = true, updated_at = now()
      FROM unnest(
        ${rows.map((r) => r.id)}::uuid[],
        ${rows.map((r) => r.schoolId)}::uuid[],
        ${rows.map((r) => r.title)}::text[]
      ) AS t(id, school_id, title)
      WHERE s.id = t.id AND s.district_id = ${this.districtId}::uuid
        AND (s.title, s.school_id, s.active) IS DISTINCT FROM (t.title, t.school_id, true)`;
  }

  deactivateSections(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return Promise.resolve(0);
    return this.prisma.$executeRaw`
      UPDATE sections SET active = false, updated_at = now()
      WHERE district_id = ${this.districtId}::uuid AND id = ANY(${ids}::uuid[]) AND active`;
  }

  insertUsers(rows: readonly UserValues[], now: Date): Promise<number> {
    if (rows.length === 0) return Promise.resolve(0);
    return this.prisma.$executeRaw`
      INSERT INTO users (district_id, sourced_id, role, username, given_name, family_name, email,
                         preferred_language, active, deactivated_at, school_id)
      SELECT ${this.districtId}::uuid, t.sourced_id, t.role::user_role, t.username, t.given_name,
             t.family_name, t.email, t.preferred_language, t.active,
             CASE WHEN t.active THEN NULL ELSE ${now}::timestamptz END, t.school_id
      FROM unnest(
        ${rows.map((r) => r.sourcedId)}::text[],
        ${rows.map((r) => r.role)}::text[],
        ${rows.map((r) => r.username)}::text[],
        ${rows.map((r) => r.givenName)}::text[],
        ${rows.map((r) => r.familyName)}::text[],
        ${rows.map((r) => r.email)}::text[],
        ${rows.map((r) => r.preferredLanguage)}::text[],
        ${rows.map((r) => r.active)}::boolean[],
        ${rows.map((r) => r.schoolId)}::uuid[]
      ) AS t(sourced_id, role, username, given_name, family_name, email, preferred_language, active, school_id)
      ON CONFLICT (district_id, sourced_id) DO NOTHING`;
  }

  /**
   * Brings users to the export's values. A user the export disables (or re-enables) changes `active`
   * here; deactivatedAt records when access ended and is cleared on reactivation.
   */
  updateUsers(rows: readonly (UserValues & { id: string })[], now: Date): Promise<number> {
    if (rows.length === 0) return Promise.resolve(0);
    return this.prisma.$executeRaw`
      UPDATE users AS u
      SET role = t.role::user_role, username = t.username, given_name = t.given_name,
          family_name = t.family_name, email = t.email, preferred_language = t.preferred_language,
          school_id = t.school_id, active = t.active,
          deactivated_at = CASE WHEN t.active THEN NULL
                                WHEN u.active THEN ${now}::timestamptz
                                ELSE u.deactivated_at END,
          updated_at = now()
      FROM unnest(
        ${rows.map((r) => r.id)}::uuid[],
        ${rows.map((r) => r.role)}::text[],
        ${rows.map((r) => r.username)}::text[],
        ${rows.map((r) => r.givenName)}::text[],
        ${rows.map((r) => r.familyName)}::text[],
        ${rows.map((r) => r.email)}::text[],
        ${rows.map((r) => r.preferredLanguage)}::text[],
        ${rows.map((r) => r.active)}::boolean[],
        ${rows.map((r) => r.schoolId)}::uuid[]
      ) AS t(id, role, username, given_name, family_name, email, preferred_language, active, school_id)
      WHERE u.id = t.id AND u.district_id = ${this.districtId}::uuid
        AND (u.role::text, u.username, u.given_name, u.family_name, u.email, u.preferred_language,
             u.school_id, u.active)
            IS DISTINCT FROM
            (t.role, t.username, t.given_name, t.family_name, t.email, t.preferred_language,
             t.school_id, t.active)`;
  }

  /**
   * Frees the usernames of users about to be renamed among themselves (a swap), in the transaction
   * that then renames them, so the unique (district, username) index never sees two holders.
   */
  async releaseUsernames(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.prisma.$executeRaw`
      UPDATE users SET username = NULL
      WHERE district_id = ${this.districtId}::uuid AND id = ANY(${ids}::uuid[])`;
  }

  /** Ends access of users who left the roster: they stay (with their data), inactive. */
  deactivateUsers(ids: readonly string[], now: Date): Promise<number> {
    if (ids.length === 0) return Promise.resolve(0);
    return this.prisma.$executeRaw`
      UPDATE users SET active = false, deactivated_at = ${now}::timestamptz, updated_at = now()
      WHERE district_id = ${this.districtId}::uuid AND id = ANY(${ids}::uuid[]) AND active`;
  }

  insertMemberships(rows: readonly MembershipValues[]): Promise<number> {
    if (rows.length === 0) return Promise.resolve(0);
    return this.prisma.$executeRaw`
      INSERT INTO section_memberships (district_id, section_id, user_id, role, is_primary, sourced_id)
      SELECT ${this.districtId}::uuid, t.section_id, t.user_id, t.role::membership_role, t.is_primary,
             t.sourced_id
      FROM unnest(
        ${rows.map((r) => r.sectionId)}::uuid[],
        ${rows.map((r) => r.userId)}::uuid[],
        ${rows.map((r) => r.role)}::text[],
        ${rows.map((r) => r.isPrimary)}::boolean[],
        ${rows.map((r) => r.sourcedId)}::text[]
      ) AS t(section_id, user_id, role, is_primary, sourced_id)
      ON CONFLICT (section_id, user_id) DO NOTHING`;
  }

  updateMemberships(rows: readonly (MembershipValues & { id: string })[]): Promise<number> {
    if (rows.length === 0) return Promise.resolve(0);
    return this.prisma.$executeRaw`
      UPDATE section_memberships AS m
      SET role = t.role::membership_role, is_primary = t.is_primary, sourced_id = t.sourced_id
      FROM unnest(
        ${rows.map((r) => r.id)}::uuid[],
        ${rows.map((r) => r.role)}::text[],
        ${rows.map((r) => r.isPrimary)}::boolean[],
        ${rows.map((r) => r.sourcedId)}::text[]
      ) AS t(id, role, is_primary, sourced_id)
      WHERE m.id = t.id AND m.district_id = ${this.districtId}::uuid
        AND (m.role::text, m.is_primary, m.sourced_id) IS DISTINCT FROM (t.role, t.is_primary, t.sourced_id)`;
  }

  /** Removing an enrollment deletes the row (see the schema): access through the section ends with it. */
  deleteMemberships(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return Promise.resolve(0);
    return this.prisma.$executeRaw`
      DELETE FROM section_memberships
      WHERE district_id = ${this.districtId}::uuid AND id = ANY(${ids}::uuid[])`;
  }

  insertGuardianLinks(rows: readonly { guardianId: string; studentId: string }[]): Promise<number> {
    if (rows.length === 0) return Promise.resolve(0);
    return this.prisma.$executeRaw`
      INSERT INTO guardian_links (district_id, guardian_id, student_id)
      SELECT ${this.districtId}::uuid, t.guardian_id, t.student_id
      FROM unnest(${rows.map((r) => r.guardianId)}::uuid[], ${rows.map((r) => r.studentId)}::uuid[])
        AS t(guardian_id, student_id)
      ON CONFLICT (guardian_id, student_id) DO NOTHING`;
  }

  deleteGuardianLinks(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return Promise.resolve(0);
    return this.prisma.$executeRaw`
      DELETE FROM guardian_links
      WHERE district_id = ${this.districtId}::uuid AND id = ANY(${ids}::uuid[])`;
  }
}
