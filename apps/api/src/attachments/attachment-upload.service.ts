import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { type IncomingMessage } from 'node:http';
import { type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { mimeOf } from '../../../../libs/attachments/allowed-types';
import { attachmentAad, attachmentBlobKey } from '../../../../libs/attachments/attachment-blobs';
import { ContentInspector, type InspectedFile } from '../../../../libs/attachments/content-inspector';
import { displayFilename, sanitizeFilename } from '../../../../libs/attachments/filename';
import { type ApiConfig } from '../../../../libs/config/config';
import { Database } from '../../../../libs/db/database';
import { createEncryptStream } from '../../../../libs/crypto/blob-stream';
import { type BlobKeys, type BlobStore } from '../../../../libs/storage';
import { type Principal } from '../common/request-context';
import { API_CONFIG } from '../common/tokens';
import { ATTACHMENT_BLOB_KEYS, ATTACHMENT_BLOB_STORE } from './attachment.tokens';
import { AttachmentScanStarter } from './attachment-scan.starter';
import { receiveSingleFile } from './multipart-file';

export interface AcceptedUpload {
  id: string;
  status: 'scanning';
  workflowId: string;
}

interface StoredUpload {
  inspected: InspectedFile;
  declaredName: string;
  dataKeyId: string;
}

/**
 * Receives an upload as a stream: the content is sniffed from its first bytes, counted against the
 * limit, hashed and encrypted on its way to storage, and never held whole in memory. Only when all of
 * it was accepted does the attachment row appear (status `scanning`) and the scan workflow start;
 * any refusal or failure deletes whatever was stored, so nothing is left behind.
 */
@Injectable()
export class AttachmentUploadService {
  constructor(
    private readonly db: Database,
    private readonly scans: AttachmentScanStarter,
    @Inject(ATTACHMENT_BLOB_STORE) private readonly store: BlobStore,
    @Inject(ATTACHMENT_BLOB_KEYS) private readonly keys: BlobKeys,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async upload(principal: Principal, req: IncomingMessage): Promise<AcceptedUpload> {
    const id = randomUUID();
    const key = attachmentBlobKey(principal.districtId, id);
    let blobWritten = false;
    let rowWritten = false;
    try {
      const stored = await receiveSingleFile(
        req,
        this.config.UPLOAD_MAX_BYTES,
        async (file, declaredName) => {
          const inspector = new ContentInspector({ maxBytes: this.config.UPLOAD_MAX_BYTES, declaredName });
          file.once('error', (error) => inspector.destroy(error));
          const dataKeyId = await this.storeEncrypted(principal.districtId, id, key, file, inspector);
          blobWritten = true;
          return { inspected: inspector.result(), declaredName, dataKeyId } satisfies StoredUpload;
        },
      );
      await this.db.forDistrict(principal.districtId).attachments.create({
        id,
        uploaderId: principal.userId,
        filename: sanitizeFilename(stored.declaredName, stored.inspected.kind),
        originalFilename: displayFilename(stored.declaredName),
        contentType: mimeOf(stored.inspected.kind),
        size: stored.inspected.size,
        sha256: stored.inspected.sha256,
        storageKey: key,
        dataKeyId: stored.dataKeyId,
      });
      rowWritten = true;
      const workflowId = await this.scans.start(principal.districtId, id);
      return { id, status: 'scanning', workflowId };
    } catch (error) {
      if (rowWritten) await this.db.forDistrict(principal.districtId).attachments.deleteUnscanned(id);
      if (blobWritten) await this.store.delete(key);
      throw error;
    }
  }

  /**
   * Pipes the file through the inspector and the HRB1 encryption into the store. Every stream is wired
   * before the first byte flows, so a refusal on the very first chunk reaches the store, which then
   * discards its temporary file; this resolves only when the blob is in place, and rejects only once
   * the store has cleaned up.
   */
  private async storeEncrypted(
    districtId: string,
    attachmentId: string,
    key: string,
    file: Readable,
    inspector: ContentInspector,
  ): Promise<string> {
    const dataKey = await this.keys.districtDataKey(districtId);
    const sealed = createEncryptStream(dataKey.key, dataKey.id, attachmentAad(attachmentId));
    const stored = this.store.put(key, sealed);
    const sealing = pipeline(inspector, sealed);
    // Piped rather than pipelined: busboy must be able to drain the file after a refusal.
    file.pipe(inspector);
    const outcomes = await Promise.allSettled([sealing, stored]);
    const failure = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failure) throw (failure as PromiseRejectedResult).reason;
    return dataKey.id;
  }
}
