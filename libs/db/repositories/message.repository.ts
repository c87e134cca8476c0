import { type Prisma } from '../generated/client';
import { type DbClient } from '../db-client';
import { preparedStatement, runPrepared } from '../prisma';

export interface NewMessage {
  id: string;
  conversationId: string;
  senderId: string;
  bodyCiphertext: Buffer;
  dataKeyId: string;
  sourceLanguage: string;
}

export interface StoredMessage {
  id: string;
  conversationId: string;
  senderId: string;
  bodyCiphertext: Uint8Array;
  dataKeyId: string;
  sourceLanguage: string;
  createdAt: Date;
  /** When the other participant read it; null while unread. */
  readAt: Date | null;
  attachments: MessageAttachmentSummary[];
}

export interface SentMessage {
  id: string;
  conversationId: string;
  senderId: string;
  bodyCiphertext: Uint8Array;
  dataKeyId: string;
  createdAt: Date;
  attachmentIds: string[];
}

export interface MessageAttachmentSummary {
  id: string;
  filename: string;
  size: bigint;
  contentType: string;
  status: 'scanning' | 'clean' | 'quarantined';
}

const PAGE_ROW = {
  id: true,
  conversationId: true,
  senderId: true,
  bodyCiphertext: true,
  dataKeyId: true,
  sourceLanguage: true,
  createdAt: true,
  reads: { select: { userId: true, readAt: true } },
  attachments: {
    select: {
      attachment: { select: { id: true, filename: true, size: true, contentType: true, status: true } },
    },
  },
} as const;

type PageRow = Prisma.MessageGetPayload<{ select: typeof PAGE_ROW }>;

const INSERT_MESSAGE = preparedStatement(
  'message_insert',
  `WITH inserted AS (
     INSERT INTO messages (id, district_id, conversation_id, sender_id, body_ciphertext, data_key_id, source_language)
     VALUES ($1::uuid, $2::uuid, $3::uuid, $4::uuid, $5, $6::uuid, $7)
     ON CONFLICT (id) DO NOTHING
     RETURNING created_at
   ), touched AS (
     UPDATE conversations
     SET last_message_at = GREATEST(last_message_at, (SELECT created_at FROM inserted))
     WHERE id = $3::uuid AND district_id = $2::uuid
     RETURNING id
   )
   SELECT created_at FROM inserted, touched`,
);

/**
 * Messages of one-to-one conversations. There is no delete: users cannot remove what they sent, so
 * safety review always sees the whole conversation.
 */
export class MessageRepository {
  constructor(
    private readonly prisma: DbClient,
    private readonly districtId: string,
  ) {}

  /**
   * Stores the message and moves the conversation's last activity in one statement, so the inbox order
   * and the messages never disagree. Prepared (libs/db/prisma.ts): it runs on every send. A message
   * whose id exists already (a retried send with the same Idempotency-Key) is left as it is: null.
   */
  async insert(message: NewMessage): Promise<{ id: string; createdAt: Date } | null> {
    const rows = await runPrepared<{ created_at: Date }>(this.prisma, INSERT_MESSAGE, [
      message.id,
      this.districtId,
      message.conversationId,
      message.senderId,
      message.bodyCiphertext,
      message.dataKeyId,
      message.sourceLanguage,
    ]);
    const row = rows[0];
    return row ? { id: message.id, createdAt: row.created_at } : null;
  }

  /** What a retried send is compared with: the stored message with its attachments. */
  async findSent(id: string): Promise<SentMessage | null> {
    const row = await this.prisma.message.findFirst({
      where: { id, districtId: this.districtId },
      select: {
        id: true,
        conversationId: true,
        senderId: true,
        bodyCiphertext: true,
        dataKeyId: true,
        createdAt: true,
        attachments: { select: { attachmentId: true } },
      },
    });
    if (!row) return null;
    const { attachments, ...message } = row;
    return { ...message, attachmentIds: attachments.map((link) => link.attachmentId) };
  }

  /** Links attachments to a message the same request created. */
  async attach(messageId: string, attachmentIds: readonly string[]): Promise<void> {
    if (attachmentIds.length === 0) return;
    await this.prisma.messageAttachment.createMany({
      data: attachmentIds.map((attachmentId) => ({ messageId, attachmentId, districtId: this.districtId })),
      skipDuplicates: true,
    });
  }

  /** Newest first; `before` is the (createdAt, id) of the last message of the previous page. */
  async listPage(
    conversationId: string,
    options: { limit: number; before?: { createdAt: Date; id: string } },
  ): Promise<StoredMessage[]> {
    const before = options.before;
    const rows = await this.prisma.message.findMany({
      where: {
        conversationId,
        districtId: this.districtId,
        ...(before
          ? {
              OR: [
                { createdAt: { lt: before.createdAt } },
                { createdAt: before.createdAt, id: { lt: before.id } },
              ],
            }
          : {}),
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: options.limit,
      select: PAGE_ROW,
    });
    return rows.map(toStoredMessage);
  }

  findById(id: string): Promise<{ id: string; conversationId: string; senderId: string } | null> {
    return this.prisma.message.findFirst({
      where: { id, districtId: this.districtId },
      select: { id: true, conversationId: true, senderId: true },
    });
  }

  /** Records the first read by `userId`; reading again keeps the first time. */
  async markRead(messageId: string, userId: string): Promise<void> {
    await this.prisma.$executeRaw`
      INSERT INTO message_reads (message_id, user_id, district_id)
      VALUES (${messageId}::uuid, ${userId}::uuid, ${this.districtId}::uuid)
      ON CONFLICT (message_id, user_id) DO NOTHING`;
  }

  /** Stores a report; the caller raises its alert and audit event in the same transaction. */
  async report(report: { messageId: string; reporterId: string; reason: string }): Promise<string> {
    const created = await this.prisma.messageReport.create({
      data: { ...report, districtId: this.districtId },
      select: { id: true },
    });
    return created.id;
  }
}

function toStoredMessage(row: PageRow): StoredMessage {
  const otherRead = row.reads.find((read) => read.userId !== row.senderId);
  return {
    id: row.id,
    conversationId: row.conversationId,
    senderId: row.senderId,
    bodyCiphertext: row.bodyCiphertext,
    dataKeyId: row.dataKeyId,
    sourceLanguage: row.sourceLanguage,
    createdAt: row.createdAt,
    readAt: otherRead?.readAt ?? null,
    attachments: row.attachments.map((link) => link.attachment),
  };
}
