import { type DbClient } from '../db-client';

const SUMMARY = {
  id: true,
  participantLowId: true,
  participantHighId: true,
  lastMessageAt: true,
  createdAt: true,
} as const;

/** One conversation per pair of users, stored with the participants ordered by id. */
export class ConversationRepository {
  constructor(
    private readonly prisma: DbClient,
    private readonly districtId: string,
  ) {}

  /** Returns the pair's conversation, creating it if needed; `created` tells which happened. */
  async findOrCreate(a: string, b: string): Promise<{ conversation: ConversationSummary; created: boolean }> {
    const [low, high] = a < b ? [a, b] : [b, a];
    const key = { districtId: this.districtId, participantLowId: low, participantHighId: high };
    const existing = await this.prisma.conversation.findFirst({ where: key, select: SUMMARY });
    if (existing) return { conversation: existing, created: false };
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`
      INSERT INTO conversations (id, district_id, participant_low_id, participant_high_id)
      VALUES (gen_random_uuid(), ${this.districtId}::uuid, ${low}::uuid, ${high}::uuid)
      ON CONFLICT (district_id, participant_low_id, participant_high_id) DO NOTHING
      RETURNING id`;
    const conversation = await this.prisma.conversation.findFirstOrThrow({ where: key, select: SUMMARY });
    return { conversation, created: rows.length === 1 };
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
}

export interface ConversationSummary {
  id: string;
  participantLowId: string;
  participantHighId: string;
  lastMessageAt: Date;
  createdAt: Date;
}
