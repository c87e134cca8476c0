import { type AttachmentStatus } from '../generated/enums';
import { type DbClient } from '../db-client';

export interface NewAttachment {
  id: string;
  uploaderId: string;
  filename: string;
  originalFilename: string;
  contentType: string;
  size: number;
  sha256: string;
  storageKey: string;
  dataKeyId: string;
}

export interface AttachmentRecord {
  id: string;
  uploaderId: string;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  status: AttachmentStatus;
  signature: string | null;
  storageKey: string | null;
  createdAt: Date;
}

/** A conversation whose messages carry the attachment, as the conversation policy needs it. */
export interface CarryingConversation {
  id: string;
  participantLowId: string;
  participantHighId: string;
}

/** An announcement that carries the attachment, as the announcement policy needs it. */
export interface CarryingAnnouncement {
  id: string;
  sectionId: string;
  authorId: string;
}

const RECORD = {
  id: true,
  uploaderId: true,
  filename: true,
  contentType: true,
  size: true,
  sha256: true,
  status: true,
  signature: true,
  storageKey: true,
  createdAt: true,
} as const;

/** Where one message or announcement carries attachments; at most this many are considered. */
const MAX_CARRIERS = 500;

/** A district's attachments: the row written at upload, the scan verdict, and who carries them. */
export class AttachmentRepository {
  constructor(
    private readonly prisma: DbClient,
    private readonly districtId: string,
  ) {}

  async create(attachment: NewAttachment): Promise<void> {
    await this.prisma.attachment.create({
      data: { ...attachment, size: BigInt(attachment.size), districtId: this.districtId, status: 'scanning' },
    });
  }

  async find(id: string): Promise<AttachmentRecord | null> {
    const row = await this.prisma.attachment.findFirst({
      where: { id, districtId: this.districtId },
      select: RECORD,
    });
    return row && { ...row, size: Number(row.size) };
  }

  /** Ids of the district's files still awaiting a verdict, in id order, a page after `afterId`. */
  async scanningIds(options: { afterId?: string; limit: number }): Promise<string[]> {
    const rows = await this.prisma.attachment.findMany({
      where: {
        districtId: this.districtId,
        status: 'scanning',
        ...(options.afterId ? { id: { gt: options.afterId } } : {}),
      },
      orderBy: { id: 'asc' },
      take: options.limit,
      select: { id: true },
    });
    return rows.map((row) => row.id);
  }

  /** Removes the row of an upload whose scan never started (the workflow could not be started). */
  async deleteUnscanned(id: string): Promise<void> {
    await this.prisma.attachment.deleteMany({
      where: { id, districtId: this.districtId, status: 'scanning' },
    });
  }

  /** Releases a file that is still being scanned; false when it was not (already decided, or gone). */
  async markClean(id: string, scannedAt: Date): Promise<boolean> {
    const { count } = await this.prisma.attachment.updateMany({
      where: { id, districtId: this.districtId, status: 'scanning' },
      data: { status: 'clean', scannedAt },
    });
    return count === 1;
  }

  /** Quarantines a file that is still being scanned and forgets its (deleted) blob. */
  async markQuarantined(id: string, signature: string, scannedAt: Date): Promise<boolean> {
    const { count } = await this.prisma.attachment.updateMany({
      where: { id, districtId: this.districtId, status: 'scanning' },
      data: { status: 'quarantined', signature, storageKey: null, scannedAt },
    });
    return count === 1;
  }

  async carryingConversations(attachmentId: string): Promise<CarryingConversation[]> {
    const rows = await this.prisma.messageAttachment.findMany({
      where: { attachmentId, districtId: this.districtId },
      select: {
        message: {
          select: {
            conversation: {
              select: {
                id: true,
                participantLowId: true,
                participantHighId: true,
              },
            },
          },
        },
      },
      take: MAX_CARRIERS,
    });
    const byId = new Map(rows.map((row) => [row.message.conversation.id, row.message.conversation]));
    return [...byId.values()];
  }

  carryingAnnouncements(attachmentId: string): Promise<CarryingAnnouncement[]> {
    return this.prisma.announcement.findMany({
      // A retracted announcement no longer carries its files to anyone (its uploader keeps them).
      where: {
        districtId: this.districtId,
        status: { not: 'retracted' },
        attachments: { some: { attachmentId } },
      },
      select: { id: true, sectionId: true, authorId: true },
      take: MAX_CARRIERS,
    });
  }

  /** Of the given announcements, those delivered to the user. */
  async deliveredTo(userId: string, announcementIds: readonly string[]): Promise<Set<string>> {
    if (announcementIds.length === 0) return new Set();
    const rows = await this.prisma.delivery.findMany({
      where: {
        districtId: this.districtId,
        recipientId: userId,
        announcementId: { in: [...announcementIds] },
      },
      select: { announcementId: true },
    });
    return new Set(rows.map((row) => row.announcementId));
  }

  /** Of the given attachments, those the user uploaded in this district and that are not quarantined. */
  async attachableBy(uploaderId: string, attachmentIds: readonly string[]): Promise<string[]> {
    const rows = await this.prisma.attachment.findMany({
      where: {
        id: { in: [...attachmentIds] },
        districtId: this.districtId,
        uploaderId,
        status: { not: 'quarantined' },
      },
      select: { id: true },
    });
    return rows.map((row) => row.id);
  }
}
