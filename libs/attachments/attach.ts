import { type DbClient } from '../db/db-client';
import { AttachmentRepository } from '../db/repositories/attachment.repository';
import { GoneError, ValidationFailedError } from '../domain/errors/domain-errors';

/** How many files one message or announcement may carry. */
export const MAX_ATTACHMENTS_PER_ITEM = 10;

export type AttachTarget =
  { kind: 'message'; messageId: string } | { kind: 'announcement'; announcementId: string };

/**
 * Links uploads to a message or announcement being written, inside the caller's transaction (`tx`), so
 * the item and its attachments commit together. Only the uploader's own attachments of the same
 * district may be attached: an id that is unknown, foreign or someone else's is refused with 400 (one
 * answer for all three, so nothing leaks), a quarantined one with 410 QUARANTINED. Files still being
 * scanned may be attached — recipients see their status and get no link until they are clean.
 * Duplicated ids count once; attaching twice is harmless.
 *
 *   await db.transaction(districtId, async (tenant) => {
 *     const message = await messages.insert(...);
 *     await attachOwnAttachments(tenant.prisma, districtId, senderId, body.attachmentIds, { kind: 'message', messageId: message.id });
 *   });
 */
export async function attachOwnAttachments(
  tx: DbClient,
  districtId: string,
  uploaderId: string,
  attachmentIds: readonly string[],
  target: AttachTarget,
): Promise<string[]> {
  const ids = [...new Set(attachmentIds.map((id) => id.toLowerCase()))];
  if (ids.length === 0) return [];
  if (ids.length > MAX_ATTACHMENTS_PER_ITEM) {
    throw new ValidationFailedError(`At most ${MAX_ATTACHMENTS_PER_ITEM} attachments are allowed.`, [
      { field: 'attachmentIds', message: `must hold at most ${MAX_ATTACHMENTS_PER_ITEM} ids` },
    ]);
  }
  const repository = new AttachmentRepository(tx, districtId);
  const owned = await repository.ownedBy(uploaderId, ids);
  if (owned.length !== ids.length) {
    throw new ValidationFailedError('Only your own uploads can be attached.', [
      { field: 'attachmentIds', message: 'must name attachments you uploaded' },
    ]);
  }
  if (owned.some((attachment) => attachment.status === 'quarantined')) {
    throw new GoneError('QUARANTINED', 'A quarantined attachment cannot be sent.');
  }
  if (target.kind === 'message') await repository.attachToMessage(target.messageId, ids);
  else await repository.attachToAnnouncement(target.announcementId, ids);
  return ids;
}
