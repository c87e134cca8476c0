import { type DbClient } from '../db-client';

export interface StoredDownloadLink {
  districtId: string;
  attachmentId: string;
  userId: string;
  expiresAt: Date;
}

/** A district's download links; only the hash of a link's token is ever stored. */
export class DownloadLinkRepository {
  constructor(
    private readonly prisma: DbClient,
    private readonly districtId: string,
  ) {}

  async create(link: {
    attachmentId: string;
    userId: string;
    tokenHash: string;
    expiresAt: Date;
  }): Promise<void> {
    await this.prisma.downloadLink.create({ data: { ...link, districtId: this.districtId } });
  }
}

/**
 * The lookup of a link by its token, unscoped like a session lookup: the token is what names the
 * district. Expired links are swept by the retention workflow.
 */
export class DownloadLinkTokenRepository {
  constructor(private readonly prisma: DbClient) {}

  async findLive(tokenHash: string, now: Date): Promise<StoredDownloadLink | null> {
    const link = await this.prisma.downloadLink.findUnique({
      where: { tokenHash },
      select: { districtId: true, attachmentId: true, userId: true, expiresAt: true },
    });
    return link && link.expiresAt > now ? link : null;
  }

  async deleteExpired(before: Date): Promise<number> {
    const { count } = await this.prisma.downloadLink.deleteMany({ where: { expiresAt: { lt: before } } });
    return count;
  }
}
