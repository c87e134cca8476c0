import { Module } from '@nestjs/common';
import { type ApiConfig } from '../../../../libs/config/config';
import { FieldCipher } from '../../../../libs/crypto/envelope';
import { LocalKeyWrapper } from '../../../../libs/crypto/key-wrapper';
import { parseMasterKeyRing } from '../../../../libs/crypto/master-key-ring';
import { Database } from '../../../../libs/db/database';
import { createBlobStore } from '../../../../libs/adapters/storage/blob-store.factory';
import { API_CONFIG } from '../common/tokens';
import { AttachmentDownloadController } from './attachment-download.controller';
import { AttachmentScanStarter } from './attachment-scan.starter';
import { AttachmentUploadService } from './attachment-upload.service';
import { AttachmentController } from './attachment.controller';
import { AttachmentService } from './attachment.service';
import { ATTACHMENT_BLOB_KEYS, ATTACHMENT_BLOB_STORE } from './attachment.tokens';
import { SecurityAlertController } from './security-alert.controller';
import { SecurityAlertService } from './security-alert.service';

/**
 * Uploads, scan start, metadata, download links and downloads of attachments, and the admins' list of
 * security alerts. Blobs are sealed with the district data keys (one cipher per process, so its key
 * cache is shared) and stored in the configured blob store (STORAGE_BACKEND).
 */
@Module({
  controllers: [AttachmentController, AttachmentDownloadController, SecurityAlertController],
  providers: [
    {
      provide: ATTACHMENT_BLOB_STORE,
      inject: [API_CONFIG],
      useFactory: (config: ApiConfig) => createBlobStore(config),
    },
    {
      provide: ATTACHMENT_BLOB_KEYS,
      inject: [Database, API_CONFIG],
      useFactory: (db: Database, config: ApiConfig) =>
        new FieldCipher(db.dataKeys, new LocalKeyWrapper(parseMasterKeyRing(config))),
    },
    AttachmentScanStarter,
    AttachmentUploadService,
    AttachmentService,
    SecurityAlertService,
  ],
})
export class AttachmentModule {}
