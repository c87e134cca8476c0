import { type RosterFacts } from '../../domain/policy';
import { type DbClient } from '../db-client';
import { preparedStatement, runPrepared } from '../prisma';

const SUMMARY = {
  id: true,
  participantLowId: true,
  participantHighId: true,
  lastMessageAt: true,
  createdAt: true,
} as const;

export interface ConversationSummary {
  id: string;
  participantLowId: string;
  participantHighId: string;
  lastMessageAt: Date;
  createdAt: Date;
}

/** A conversation with what the policy needs to decide access (libs/policy ConversationRef). */
export type ConversationAccessRecord = ConversationSummary;

/** A conversation with the roster facts its access decision needs, loaded in one round trip. */
export interface ConversationAccessContext {
  conversation: ConversationAccessRecord;
  /** Exactly the slice `RosterFactsRepository.sliceForUsers([low, high])` returns. */
  facts: RosterFacts;
  /** Preferred language of each involved user, by id. */
  languages: ReadonlyMap<string, string>;
}

interface AccessContextRow {
  conversation: {
    id: string;
    participant_low_id: string;
    participant_high_id: string;
    last_message_at: string;
    created_at: string;
  } | null;
  users: (RosterFacts['users'][number] & { preferredLanguage: string })[];
  sections: RosterFacts['sections'][number][];
  memberships: RosterFacts['memberships'][number][];
  guardian_links: RosterFacts['guardianLinks'][number][];
}

const ACCESS_CONTEXT = preparedStatement(
  'conversation_access_context',
  `WITH conv AS (
    SELECT c.id, c.participant_low_id, c.participant_high_id, c.last_message_at, c.created_at
    FROM conversations c
    WHERE c.id = $1::uuid AND c.district_id = $2::uuid
  ),
  parties AS (SELECT participant_low_id AS id FROM conv UNION SELECT participant_high_id FROM conv),
  links AS (
    -- Two index lookups; one OR of both columns would scan the whole table.
    SELECT l.guardian_id, l.student_id FROM guardian_links l
    WHERE l.district_id = $2::uuid AND l.guardian_id IN (SELECT id FROM parties)
    UNION
    SELECT l.guardian_id, l.student_id FROM guardian_links l
    WHERE l.district_id = $2::uuid AND l.student_id IN (SELECT id FROM parties)
  ),
  involved AS (
    SELECT id FROM parties
    UNION SELECT l.student_id FROM links l WHERE l.guardian_id IN (SELECT id FROM parties)
  ),
  memberships AS (
    SELECT m.section_id, m.user_id, m.role, m.is_primary FROM section_memberships m
    WHERE m.district_id = $2::uuid AND m.user_id IN (SELECT id FROM involved)
  )
  SELECT
    (SELECT row_to_json(conv) FROM conv) AS conversation,
    COALESCE((
      SELECT json_agg(json_build_object('id', u.id, 'districtId', u.district_id, 'role', u.role,
               'active', u.active, 'schoolId', u.school_id, 'preferredLanguage', u.preferred_language))
      FROM users u WHERE u.district_id = $2::uuid AND u.id IN (SELECT id FROM involved)
    ), '[]') AS users,
    COALESCE((
      SELECT json_agg(json_build_object('id', s.id, 'districtId', s.district_id, 'schoolId', s.school_id,
               'active', s.active))
      FROM sections s WHERE s.district_id = $2::uuid AND s.id IN (SELECT section_id FROM memberships)
    ), '[]') AS sections,
    COALESCE((
      SELECT json_agg(json_build_object('sectionId', section_id, 'userId', user_id, 'role', role,
               'primary', is_primary))
      FROM memberships
    ), '[]') AS memberships,
    COALESCE((
      SELECT json_agg(json_build_object('guardianId', guardian_id, 'studentId', student_id)) FROM links
    ), '[]') AS guardian_links`,
);

/** One conversation per pair of users, stored with the participants ordered by id. */
export class ConversationRepository {
  constructor(
    private readonly prisma: DbClient,
    private readonly districtId: string,
  ) {}

  /**
   * Returns the pair's conversation, creating it if needed; `created` tells which happened. With an
   * origin announcement (a reply), the conversation records it, also when it existed before, so a
   * reviewing admin can tell which announcement a thread answers. It grants no access (libs/policy
   * canAccessConversation decides by the current roster alone).
   */
  async findOrCreate(
    a: string,
    b: string,
    originAnnouncementId: string | null = null,
  ): Promise<{ conversation: ConversationSummary; created: boolean }> {
    const [low, high] = a < b ? [a, b] : [b, a];
    const key = { districtId: this.districtId, participantLowId: low, participantHighId: high };
    const existing = await this.prisma.conversation.findFirst({ where: key, select: SUMMARY });
    if (existing) {
      if (originAnnouncementId) await this.recordOrigin(existing.id, originAnnouncementId);
      return { conversation: existing, created: false };
    }
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`
      INSERT INTO conversations (id, district_id, participant_low_id, participant_high_id, origin_announcement_id)
      VALUES (gen_random_uuid(), ${this.districtId}::uuid, ${low}::uuid, ${high}::uuid, ${originAnnouncementId}::uuid)
      ON CONFLICT (district_id, participant_low_id, participant_high_id) DO NOTHING
      RETURNING id`;
    const conversation = await this.prisma.conversation.findFirstOrThrow({ where: key, select: SUMMARY });
    if (rows.length === 0 && originAnnouncementId)
      await this.recordOrigin(conversation.id, originAnnouncementId);
    return { conversation, created: rows.length === 1 };
  }

  findForAccess(id: string): Promise<ConversationAccessRecord | null> {
    return this.prisma.conversation.findFirst({
      where: { id, districtId: this.districtId },
      select: SUMMARY,
    });
  }

  /**
   * The conversation and the roster slice of its two participants in a single statement: sending a
   * message is the hottest path of the API, and this replaces five round trips. The SQL twin of
   * RosterFactsRepository.sliceForUsers (the slice contract in libs/policy/roster-facts.ts);
   * test/e2e/messaging-access.test.ts holds the two equal. Prepared (libs/db/prisma.ts): planning it
   * costs PostgreSQL more than running it.
   */
  async findAccessContext(id: string): Promise<ConversationAccessContext | null> {
    const rows = await runPrepared<AccessContextRow>(this.prisma, ACCESS_CONTEXT, [id, this.districtId]);
    const row = rows[0];
    if (!row?.conversation) return null;
    const c = row.conversation;
    return {
      conversation: {
        id: c.id,
        participantLowId: c.participant_low_id,
        participantHighId: c.participant_high_id,
        lastMessageAt: new Date(c.last_message_at),
        createdAt: new Date(c.created_at),
      },
      facts: {
        users: row.users.map(({ preferredLanguage: _language, ...user }) => user),
        sections: row.sections,
        memberships: row.memberships,
        guardianLinks: row.guardian_links,
      },
      languages: new Map(row.users.map((user) => [user.id, user.preferredLanguage])),
    };
  }

  listForUser(userId: string, options: { limit: number; before?: { lastMessageAt: Date; id: string } }) {
    const before = options.before;
    return this.prisma.conversation.findMany({
      where: {
        districtId: this.districtId,
        OR: [{ participantLowId: userId }, { participantHighId: userId }],
        ...(before
          ? {
              AND: [
                {
                  OR: [
                    { lastMessageAt: { lt: before.lastMessageAt } },
                    { lastMessageAt: before.lastMessageAt, id: { lt: before.id } },
                  ],
                },
              ],
            }
          : {}),
      },
      orderBy: [{ lastMessageAt: 'desc' }, { id: 'desc' }],
      take: options.limit,
      select: SUMMARY,
    });
  }

  private async recordOrigin(conversationId: string, originAnnouncementId: string): Promise<void> {
    await this.prisma.conversation.updateMany({
      where: { id: conversationId, districtId: this.districtId },
      data: { originAnnouncementId },
    });
  }
}
