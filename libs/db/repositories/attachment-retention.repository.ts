import { type HomeroomPrismaClient } from '../prisma';

export interface OrphanCandidate {
  id: string;
  districtId: string;
}

/**
 * Finds and removes orphaned uploads across all districts: files no message or announcement carries,
 * older than the retention age. Quarantined files and files with an alert stay, as evidence for the
 * alert; their blobs are already gone.
 */
export class AttachmentRetentionRepository {
  constructor(private readonly prisma: HomeroomPrismaClient) {}

  listOrphans(createdBefore: Date, limit: number): Promise<OrphanCandidate[]> {
    return this.prisma.$queryRaw<OrphanCandidate[]>`
      SELECT a.id, a.district_id AS "districtId"
      FROM attachments a
      WHERE a.created_at < ${createdBefore}
        AND a.status <> 'quarantined'
        AND NOT EXISTS (SELECT 1 FROM message_attachments m WHERE m.attachment_id = a.id)
        AND NOT EXISTS (SELECT 1 FROM announcement_attachments n WHERE n.attachment_id = a.id)
        AND NOT EXISTS (SELECT 1 FROM security_alerts s WHERE s.attachment_id = a.id)
      ORDER BY a.created_at, a.id
      LIMIT ${limit}`;
  }

  /**
   * Deletes one orphan and, through `deleteBlob`, its blob — unless it was attached meanwhile. The row
   * is locked first: attaching takes a key-share lock on it (the join row's foreign key), so a
   * concurrent attach either finishes before the re-check sees it, or fails on the missing row.
   * The blob goes before the row commits: a crash in between leaves a row without a blob, which the
   * next sweep removes, never a blob without a row.
   */
  deleteOrphan(
    candidate: OrphanCandidate,
    deleteBlob: (storageKey: string) => Promise<void>,
  ): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const locked = await tx.$queryRaw<{ storageKey: string | null }[]>`
        SELECT storage_key AS "storageKey" FROM attachments
        WHERE id = ${candidate.id}::uuid AND district_id = ${candidate.districtId}::uuid
        FOR UPDATE`;
      const row = locked[0];
      if (!row) return false;
      const stillOrphan = await tx.$queryRaw<{ orphan: boolean }[]>`
        SELECT NOT EXISTS (SELECT 1 FROM message_attachments WHERE attachment_id = ${candidate.id}::uuid)
           AND NOT EXISTS (SELECT 1 FROM announcement_attachments WHERE attachment_id = ${candidate.id}::uuid)
           AND NOT EXISTS (SELECT 1 FROM security_alerts WHERE attachment_id = ${candidate.id}::uuid)
           AS orphan`;
      if (!stillOrphan[0]?.orphan) return false;
      if (row.storageKey) await deleteBlob(row.storageKey);
      await tx.downloadLink.deleteMany({ where: { attachmentId: candidate.id } });
      await tx.attachment.delete({ where: { id: candidate.id } });
      return true;
    });
  }
}
