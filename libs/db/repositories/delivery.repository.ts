import { Prisma } from '../generated/client';
import { type DbClient } from '../db-client';
import { type StudentIdRange } from '../../domain/messaging/fan-out-plan';

export interface RecipientScope {
  sectionId: string;
  authorId: string;
}

export interface BatchWrite {
  /** Recipients of the batch as the roster stands now, whether written by this call or an earlier one. */
  recipients: number;
  /** Deliveries this call inserted; a retry of a finished batch inserts none. */
  inserted: number;
}

/**
 * Deliveries of announcements, one row per (announcement, recipient). Recipients are resolved from the
 * current roster inside each statement — the SQL twin of libs/policy `announcementRecipients`: the
 * section's current students and the guardians currently linked to them, each once, without the
 * author. "Current" means what the policy means: an active section, active users whose role matches
 * their membership (a student membership of a student), links joining an active guardian to an active
 * student, all in this district. test/integration/fanout-recipients.test.ts holds the two equal.
 */
export class DeliveryRepository {
  constructor(
    private readonly prisma: DbClient,
    private readonly districtId: string,
  ) {}

  async countRecipients(scope: RecipientScope): Promise<number> {
    return (await this.countRecipientsByLanguage(scope, null)).recipients;
  }

  /** How many recipients there are, and how many of them prefer a language other than `language`. */
  async countRecipientsByLanguage(
    scope: RecipientScope,
    language: string | null,
  ): Promise<{ recipients: number; otherLanguage: number }> {
    const rows = await this.prisma.$queryRaw<{ recipients: bigint; other_language: bigint }[]>`
      WITH ${this.recipientsCte(Prisma.sql`${scope.sectionId}::uuid`, Prisma.sql`${scope.authorId}::uuid`)}
      SELECT count(*)::bigint AS recipients,
             count(*) FILTER (WHERE u.preferred_language <> ${language})::bigint AS other_language
      FROM recipients r JOIN users u ON u.id = r.id`;
    return {
      recipients: Number(rows[0]?.recipients ?? 0n),
      otherLanguage: Number(rows[0]?.other_language ?? 0n),
    };
  }

  /** The recipients of a section now, for comparing this SQL with the policy. */
  async listRecipients(scope: RecipientScope, students?: StudentIdRange): Promise<string[]> {
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`
      WITH ${this.recipientsCte(Prisma.sql`${scope.sectionId}::uuid`, Prisma.sql`${scope.authorId}::uuid`, students)}
      SELECT id::text AS id FROM recipients ORDER BY id`;
    return rows.map((row) => row.id);
  }

  /**
   * Writes the deliveries of one batch — the students in `students` and their guardians (see
   * libs/messaging/fan-out-plan.ts) — resolved from the announcement's section and author now, in one
   * statement: a multi-row INSERT whose conflicts on the (announcement, recipient) key are skipped, so a
   * retried batch writes nothing twice. An announcement of another district resolves to nobody.
   */
  async writeBatch(announcementId: string, students: StudentIdRange): Promise<BatchWrite> {
    // A batch that starts after a retraction committed resolves to nobody. No row lock is taken: batches
    // holding one would keep a retraction waiting behind a long fan-out. A batch already running when the
    // retraction commits may still land, which no recipient sees (reads skip retracted announcements).
    const ofAnnouncement = (column: Prisma.Sql) => Prisma.sql`(SELECT ${column} FROM announcements
      WHERE id = ${announcementId}::uuid AND district_id = ${this.districtId}::uuid
        AND status <> 'retracted')`;
    const rows = await this.prisma.$queryRaw<{ recipients: bigint; inserted: bigint }[]>`
      WITH ${this.recipientsCte(ofAnnouncement(Prisma.raw('section_id')), ofAnnouncement(Prisma.raw('author_id')), students)},
      inserted AS (
        INSERT INTO deliveries (announcement_id, recipient_id, district_id)
        SELECT ${announcementId}::uuid, id, ${this.districtId}::uuid FROM recipients
        ON CONFLICT (announcement_id, recipient_id) DO NOTHING
        RETURNING 1
      )
      SELECT (SELECT count(*) FROM recipients)::bigint AS recipients,
             (SELECT count(*) FROM inserted)::bigint AS inserted`;
    const row = rows[0];
    return { recipients: Number(row?.recipients ?? 0n), inserted: Number(row?.inserted ?? 0n) };
  }

  /** Delivered and read counts of one announcement. */
  async counts(announcementId: string): Promise<{ delivered: number; read: number }> {
    const rows = await this.prisma.$queryRaw<{ delivered: bigint; read: bigint }[]>`
      SELECT count(*)::bigint AS delivered, count(read_at)::bigint AS read
      FROM deliveries
      WHERE announcement_id = ${announcementId}::uuid AND district_id = ${this.districtId}::uuid`;
    return { delivered: Number(rows[0]?.delivered ?? 0n), read: Number(rows[0]?.read ?? 0n) };
  }

  find(announcementId: string, recipientId: string) {
    return this.prisma.delivery.findFirst({
      where: { announcementId, recipientId, districtId: this.districtId },
      select: { deliveredAt: true, readAt: true },
    });
  }

  /** Marks the delivery read once; later calls keep the first read time. */
  async markRead(announcementId: string, recipientId: string, at: Date): Promise<void> {
    await this.prisma.delivery.updateMany({
      where: { announcementId, recipientId, districtId: this.districtId, readAt: null },
      data: { readAt: at },
    });
  }

  /**
   * `sectionId` and `authorId` are SQL expressions yielding one uuid each; `students`, when given,
   * limits the students (and so the guardians reached through them) to one id range.
   */
  private recipientsCte(sectionId: Prisma.Sql, authorId: Prisma.Sql, students?: StudentIdRange): Prisma.Sql {
    const district = this.districtId;
    const inRange = students
      ? Prisma.sql`AND m.user_id >= ${students.from}::uuid
          ${students.to === null ? Prisma.empty : Prisma.sql`AND m.user_id < ${students.to}::uuid`}`
      : Prisma.empty;
    return Prisma.sql`
      students AS (
        SELECT u.id
        FROM section_memberships m
        JOIN sections s ON s.id = m.section_id
        JOIN users u ON u.id = m.user_id
        WHERE m.section_id = ${sectionId} ${inRange} AND m.district_id = ${district}::uuid
          AND m.role = 'student' AND s.active AND s.district_id = ${district}::uuid
          AND u.active AND u.role = 'student' AND u.district_id = ${district}::uuid
      ),
      recipients AS (
        SELECT id FROM (
          SELECT id FROM students
          UNION
          SELECT g.id
          FROM students st
          JOIN guardian_links l ON l.student_id = st.id AND l.district_id = ${district}::uuid
          JOIN users g ON g.id = l.guardian_id
          WHERE g.active AND g.role = 'guardian' AND g.district_id = ${district}::uuid
        ) everyone
        WHERE id <> ${authorId}
      )`;
  }
}
