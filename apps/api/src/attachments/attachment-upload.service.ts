import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { type IncomingMessage } from 'node:http';
import { type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { mimeOf } from '../../../../libs/attachments/allowed-types';
import { attachmentAad, attachmentBlobKey } from '../../../../libs/attachments/attachment-blobs';
import {
  ACCEPTED_EVENT,
  ContentInspector,
  type InspectedFile,
} from '../../../../libs/attachments/content-inspector';
import { displayFilename, sanitizeFilename } from '../../../../libs/attachments/filename';
import { type ApiConfig } from '../../../../libs/config/config';
import { Database } from '../../../../libs/db/database';
import { createEncryptStream } from '../../../../libs/crypto/blob-stream';
import { type DataKey } from '../../../../libs/crypto/envelope';
import { type BlobKeys, type BlobStore } from '../../../../libs/adapters/storage';
import { type Principal } from '../common/request-context';
import { QuotaService } from '../quotas/quota.service';
import { API_CONFIG, BLOB_STORE } from '../common/tokens';
import { FieldCipher } from '../../../../libs/crypto/envelope';
import { AttachmentScanStarter } from './attachment-scan.starter';
import { receiveSingleFile } from '../common/multipart-file';

export interface AcceptedUpload {
  id: string;
  status: 'scanning';
  workflowId: string;
}

interface StoredUpload {
  inspected: InspectedFile;
  declaredName: string;
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
    @Inject(BLOB_STORE) private readonly store: BlobStore,
    @Inject(FieldCipher) private readonly keys: BlobKeys,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly quotas: QuotaService,
  ) {}

  async upload(principal: Principal, req: IncomingMessage): Promise<AcceptedUpload> {
    // Bytes are reserved up front, at the most this upload can store (its declared length, at most the
    // per-file limit; the per-file limit when no length is declared), and settled to the size actually
    // stored once it is. Charging only after the upload would let concurrent uploads together overtake
    // the byte quota by up to one file each; reserving keeps it a hard ceiling, at the price of
    // refusing, near the limit, an upload whose multipart framing would not have been stored.
    const declared = Number(req.headers['content-length']);
    const reservedBytes = Number.isSafeInteger(declared)
      ? Math.min(Math.max(declared, 0), this.config.UPLOAD_MAX_BYTES)
      : this.config.UPLOAD_MAX_BYTES;
    const reservation = await this.quotas.reserve(principal, { uploads: 1, upload_bytes: reservedBytes });
    try {
      const accepted = await this.receive(principal, req);
      await reservation.settle('upload_bytes', accepted.size);
      return accepted.upload;
    } catch (error) {
      await reservation.release();
      throw error;
    }
  }

  private async receive(
    principal: Principal,
    req: IncomingMessage,
  ): Promise<{ upload: AcceptedUpload; size: number }> {
    const id = randomUUID();
    const key = attachmentBlobKey(principal.districtId, id);
    // Fetched before the body is read, so the streams below can all be wired in one go.
    const dataKey = await this.keys.districtDataKey(principal.districtId);
    let blobWritten = false;
    let rowWritten = false;
    try {
      const stored = await receiveSingleFile(
        req,
        this.config.UPLOAD_MAX_BYTES,
        async (file, declaredName) => {
          const inspector = new ContentInspector({ maxBytes: this.config.UPLOAD_MAX_BYTES, declaredName });
          await this.storeEncrypted(dataKey, key, attachmentAad(id), file, inspector);
          blobWritten = true;
          return { inspected: inspector.result(), declaredName } satisfies StoredUpload;
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
        dataKeyId: dataKey.id,
      });
      rowWritten = true;
      const workflowId = await this.scans.start(principal.districtId, id);
      return { upload: { id, status: 'scanning', workflowId }, size: stored.inspected.size };
    } catch (error) {
      if (rowWritten) await this.db.forDistrict(principal.districtId).attachments.deleteUnscanned(id);
      if (blobWritten) await this.store.delete(key);
      throw error;
    }
  }

  /**
   * Pipes the file through the inspector and the HRB1 encryption into the store. Every stream gets
   * its error handling before the first byte flows (synchronously, while busboy hands over the file);
   * the store is only opened once the inspector has accepted the type, so a refused type never
   * touches storage, and a later refusal or a cut request reaches the store, which then discards its
   * temporary file. Resolves when the blob is in place; rejects only once the store has cleaned up.
   */
  private async storeEncrypted(
    dataKey: DataKey,
    key: string,
    aad: string,
    file: Readable,
    inspector: ContentInspector,
  ): Promise<void> {
    file.on('error', (error) => inspector.destroy(error));
    const sealed = createEncryptStream(dataKey.key, dataKey.id, aad);
    const sealing = pipeline(inspector, sealed);
    const stored = once(inspector, ACCEPTED_EVENT).then(() => this.store.put(key, sealed));
    // Piped rather than pipelined: busboy must be able to drain the file after a refusal.
    file.pipe(inspector);
    const outcomes = await Promise.allSettled([sealing, stored]);
    const failure = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failure) throw (failure as PromiseRejectedResult).reason;
  }
}
