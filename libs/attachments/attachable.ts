import { type TenantRepositories } from '../db/database';
import { ValidationFailedError } from '../domain/errors/domain-errors';

/**
 * The rule for putting files on a message or an announcement: only the sender's own uploads, and never
 * a quarantined one. Both send paths call this, so neither can drift from the other.
 */
export async function requireAttachable(
  tenant: TenantRepositories,
  uploaderId: string,
  attachmentIds: readonly string[],
): Promise<void> {
  if (attachmentIds.length === 0) return;
  const found = await tenant.attachments.attachableBy(uploaderId, attachmentIds);
  if (found.length !== attachmentIds.length) {
    throw new ValidationFailedError(
      'attachmentIds must name your own attachments that are not quarantined.',
      [{ field: 'attachmentIds', message: 'must name your own attachments that are not quarantined' }],
    );
  }
}
