import { Inject, Injectable } from '@nestjs/common';
import { type Readable } from 'node:stream';
import { decideAttachmentAccess } from '../../../../libs/attachments/attachment-access';
import { attachmentAad } from '../../../../libs/attachments/attachment-blobs';
import { type ApiConfig } from '../../../../libs/config/config';
import { hashToken, randomToken } from '../../../../libs/crypto/hashing';
import { Database, type TenantRepositories } from '../../../../libs/db/database';
import { type AttachmentRecord } from '../../../../libs/db/repositories/attachment.repository';
import {
  ConflictError,
  GoneError,
  NotFoundError,
  UnauthenticatedError,
} from '../../../../libs/domain/errors/domain-errors';
import { type BlobKeys, type BlobStore, openEncryptedBlob } from '../../../../libs/adapters/storage';
import { type Principal } from '../common/request-context';
import { API_CONFIG, BLOB_STORE } from '../common/tokens';
import { FieldCipher } from '../../../../libs/crypto/envelope';

export interface IssuedLink {
  url: string;
  expiresAt: Date;
}

export interface OpenedDownload {
  attachment: AttachmentRecord;
  content: Readable;
}

const INVALID_LINK = 'The download link is not valid or has expired.';

/**
 * Who sees an attachment, and how its bytes leave: metadata for whoever may see it, short-lived links
 * only for clean files, and downloads that re-check the link's user against the current roster.
 * An attachment the caller may not see does not exist for them (404), whatever its district.
 */
@Injectable()
export class AttachmentService {
  constructor(
    private readonly db: Database,
    @Inject(BLOB_STORE) private readonly store: BlobStore,
    @Inject(FieldCipher) private readonly keys: BlobKeys,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async describe(principal: Principal, attachmentId: string): Promise<AttachmentRecord> {
    const tenant = this.db.forDistrict(principal.districtId);
    return (await this.requireVisible(tenant, principal, attachmentId)).attachment;
  }

  /**
   * A link bound to this attachment and this user, valid for DOWNLOAD_LINK_TTL_SECONDS; only its
   * token's hash is stored. Refused while the file is scanning (409) and once quarantined (410).
   */
  async issueLink(principal: Principal, attachmentId: string): Promise<IssuedLink> {
    const tenant = this.db.forDistrict(principal.districtId);
    const { attachment, access } = await this.requireVisible(tenant, principal, attachmentId);
    requireClean(attachment);
    const token = randomToken();
    const expiresAt = new Date(Date.now() + this.config.DOWNLOAD_LINK_TTL_SECONDS * 1_000);
    await tenant.downloadLinks.create({
      attachmentId,
      userId: principal.userId,
      tokenHash: hashToken(token),
      expiresAt,
    });
    if (access.allowed && access.via === 'review') {
      await tenant.audit.append({
        actorId: principal.userId,
        action: 'admin.attachment_link_issued',
        targetType: 'attachment',
        targetId: attachmentId,
        details: { conversationId: access.conversationId },
      });
    }
    const path = `/v1/attachments/${attachmentId}/content/${token}`;
    return {
      url: this.config.API_PUBLIC_URL ? new URL(path, this.config.API_PUBLIC_URL).toString() : path,
      expiresAt,
    };
  }

  /**
   * Opens the decrypted content behind a link. The link must be live and name this attachment; its
   * user must still be active and still allowed to see the file; the file must still be clean. The
   * stream fails (and the response must be aborted) if the stored blob does not authenticate.
   */
  async openDownload(attachmentId: string, token: string): Promise<OpenedDownload> {
    const link = await this.db.downloadLinkTokens.findLive(hashToken(token), new Date());
    if (!link || link.attachmentId !== attachmentId)
      throw new UnauthenticatedError('UNAUTHENTICATED', INVALID_LINK);
    const tenant = this.db.forDistrict(link.districtId);
    const user = await tenant.users.findProfile(link.userId);
    if (!user?.active || user.suspendedAt) throw new UnauthenticatedError('UNAUTHENTICATED', INVALID_LINK);
    const principal = { userId: user.id, role: user.role };
    const { attachment } = await this.requireVisible(tenant, principal, attachmentId);
    requireClean(attachment);
    if (!attachment.storageKey) throw new GoneError('GONE', 'The file is no longer available.');
    const content = await openEncryptedBlob(this.store, this.keys, {
      key: attachment.storageKey,
      aad: attachmentAad(attachment.id),
    });
    return { attachment, content };
  }

  private async requireVisible(
    tenant: TenantRepositories,
    actor: Pick<Principal, 'userId' | 'role'>,
    attachmentId: string,
  ) {
    const attachment = await tenant.attachments.find(attachmentId);
    if (!attachment) throw new NotFoundError('The attachment');
    const access = await decideAttachmentAccess(tenant, actor, attachment);
    if (!access.allowed) throw new NotFoundError('The attachment');
    return { attachment, access };
  }
}

function requireClean(attachment: AttachmentRecord): void {
  if (attachment.status === 'scanning') {
    throw new ConflictError('NOT_SCANNED', 'The file is still being scanned for malware. Try again shortly.');
  }
  if (attachment.status === 'quarantined') {
    throw new GoneError('QUARANTINED', 'The file was found to be malicious and has been destroyed.');
  }
}
