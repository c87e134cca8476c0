import { type DbClient } from '../db-client';

const SUMMARY = {
  id: true,
  participantLowId: true,
  participantHighId: true,
  lastMessageAt: true,
  createdAt: true,
} as const;

const ACCESS = {
  ...SUMMARY,
  originAnnouncement: { select: { sectionId: true, authorId: true } },
} as const;

export interface ConversationSummary {
  id: string;
  participantLowId: string;
  participantHighId: string;
  lastMessageAt: Date;
  createdAt: Date;
}

/** A conversation with what the policy needs to decide access (libs/policy ConversationRef). */
export interface ConversationAccessRecord extends ConversationSummary {
  /** The announcement a reply opened the conversation from, or null for a direct conversation. */
  originAnnouncement: { sectionId: string; authorId: string } | null;
}

/** One conversation per pair of users, stored with the participants ordered by id. */
export class ConversationRepository {
  constructor(
    private readonly prisma: DbClient,
    private readonly districtId: string,
  ) {}

  /**
   * Returns the pair's conversation, creating it if needed; `created` tells which happened. With an
   * origin announcement (a reply), the conversation records it, also when it existed before, so the
   * replier keeps access for as long as they still receive that section's announcements.
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
    return this.prisma.conversation.findFirst({ where: { id, districtId: this.districtId }, select: ACCESS });
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
