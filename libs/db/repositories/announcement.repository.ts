import { type AnnouncementStatus } from '../generated/enums';
import { type DbClient } from '../db-client';
import { type MessageAttachmentSummary } from './message.repository';

export interface NewAnnouncement {
  id: string;
  sectionId: string;
  authorId: string;
  bodyCiphertext: Buffer;
  dataKeyId: string;
  sourceLanguage: string;
}

export interface AnnouncementRecord {
  id: string;
  sectionId: string;
  authorId: string;
  bodyCiphertext: Uint8Array;
  dataKeyId: string;
  sourceLanguage: string;
  status: AnnouncementStatus;
  recipientCount: number | null;
  deliveredCount: number;
  createdAt: Date;
  deliveredAt: Date | null;
  attachments: { attachment: MessageAttachmentSummary }[];
}

const RECORD = {
  id: true,
  sectionId: true,
  authorId: true,
  bodyCiphertext: true,
  dataKeyId: true,
  sourceLanguage: true,
  status: true,
  recipientCount: true,
  deliveredCount: true,
  createdAt: true,
  deliveredAt: true,
  attachments: {
    select: {
      attachment: { select: { id: true, filename: true, size: true, contentType: true, status: true } },
    },
  },
} as const;

export interface ReceivedAnnouncement extends AnnouncementRecord {
  readAt: Date | null;
}

export class AnnouncementRepository {
  constructor(
    private readonly prisma: DbClient,
    private readonly districtId: string,
  ) {}

  /**
   * Inserts the announcement unless one with this id exists (a retried request with the same
   * idempotency key); either way returns the stored row and whether this call created it.
   */
  async createOnce(announcement: NewAnnouncement): Promise<{ record: AnnouncementRecord; created: boolean }> {
    const inserted = await this.prisma.$queryRaw<{ id: string }[]>`
      INSERT INTO announcements (id, district_id, section_id, author_id, body_ciphertext, data_key_id, source_language)
      VALUES (${announcement.id}::uuid, ${this.districtId}::uuid, ${announcement.sectionId}::uuid,
              ${announcement.authorId}::uuid, ${announcement.bodyCiphertext}, ${announcement.dataKeyId}::uuid,
              ${announcement.sourceLanguage})
      ON CONFLICT (id) DO NOTHING
      RETURNING id`;
    const record = await this.findById(announcement.id);
    if (!record) throw new Error(`announcement ${announcement.id} belongs to another district`);
    return { record, created: inserted.length === 1 };
  }

  /** Links attachments to an announcement the same request created. */
  async attach(announcementId: string, attachmentIds: readonly string[]): Promise<void> {
    if (attachmentIds.length === 0) return;
    await this.prisma.announcementAttachment.createMany({
      data: attachmentIds.map((attachmentId) => ({
        announcementId,
        attachmentId,
        districtId: this.districtId,
      })),
      skipDuplicates: true,
    });
  }

  findById(id: string): Promise<AnnouncementRecord | null> {
    return this.prisma.announcement.findFirst({ where: { id, districtId: this.districtId }, select: RECORD });
  }

  /** What the fan-out needs to resolve recipients and decide on translation. */
  findScope(id: string): Promise<{
    sectionId: string;
    authorId: string;
    status: AnnouncementStatus;
    sourceLanguage: string;
  } | null> {
    return this.prisma.announcement.findFirst({
      where: { id, districtId: this.districtId },
      select: { sectionId: true, authorId: true, status: true, sourceLanguage: true },
    });
  }

  async recordRecipientCount(id: string, recipientCount: number): Promise<void> {
    await this.prisma.announcement.updateMany({
      where: { id, districtId: this.districtId },
      data: { recipientCount },
    });
  }

  /** Marks the fan-out done and stores the counts as they are in the deliveries table. */
  async markDelivered(id: string, at: Date): Promise<{ recipientCount: number; deliveredCount: number }> {
    // A retraction that raced the last batch keeps its status: retracted is final.
    const rows = await this.prisma.$queryRaw<{ recipient_count: number | null; delivered_count: number }[]>`
      UPDATE announcements a
      SET status = CASE WHEN a.status = 'retracted' THEN a.status ELSE 'delivered' END,
          delivered_at = COALESCE(a.delivered_at, ${at}),
          delivered_count = (SELECT count(*) FROM deliveries d WHERE d.announcement_id = a.id)
      WHERE a.id = ${id}::uuid AND a.district_id = ${this.districtId}::uuid
      RETURNING a.recipient_count, a.delivered_count`;
    const row = rows[0];
    if (!row) throw new Error(`announcement ${id} does not exist`);
    return { recipientCount: row.recipient_count ?? 0, deliveredCount: row.delivered_count };
  }

  /**
   * Withdraws the announcement; false when it was already retracted. Delivery batches that start after
   * this commits write nothing (DeliveryRepository.writeBatch); reads skip it from then on.
   */
  async retract(id: string, byId: string): Promise<boolean> {
    const count = await this.prisma.$executeRaw`
      UPDATE announcements
      SET status = 'retracted', retracted_at = now(), retracted_by_id = ${byId}::uuid
      WHERE id = ${id}::uuid AND district_id = ${this.districtId}::uuid AND status <> 'retracted'`;
    return count === 1;
  }

  async markFailed(id: string): Promise<void> {
    await this.prisma.announcement.updateMany({
      where: { id, districtId: this.districtId, status: 'fanning_out' },
      data: { status: 'failed' },
    });
  }

  /**
   * Announcements delivered to the recipient in the given sections, newest first (keyset on createdAt,
   * id). The caller passes the sections the recipient can still read through.
   */
  async listReceived(
    recipientId: string,
    sectionIds: readonly string[],
    options: { limit: number; before?: { createdAt: Date; id: string } },
  ): Promise<ReceivedAnnouncement[]> {
    if (sectionIds.length === 0) return [];
    const before = options.before;
    const rows = await this.prisma.delivery.findMany({
      where: {
        districtId: this.districtId,
        recipientId,
        announcement: {
          districtId: this.districtId,
          sectionId: { in: [...sectionIds] },
          status: { not: 'retracted' },
          ...(before
            ? {
                OR: [
                  { createdAt: { lt: before.createdAt } },
                  { createdAt: before.createdAt, id: { lt: before.id } },
                ],
              }
            : {}),
        },
      },
      orderBy: [{ announcement: { createdAt: 'desc' } }, { announcementId: 'desc' }],
      take: options.limit,
      select: { readAt: true, announcement: { select: RECORD } },
    });
    return rows.map((row) => ({ ...row.announcement, readAt: row.readAt }));
  }
}
