import { Module } from '@nestjs/common';
import { AttachmentDownloadController } from './attachment-download.controller';
import { AttachmentScanStarter } from './attachment-scan.starter';
import { AttachmentUploadService } from './attachment-upload.service';
import { AttachmentController } from './attachment.controller';
import { AttachmentService } from './attachment.service';
import { SecurityAlertController } from './security-alert.controller';
import { SecurityAlertService } from './security-alert.service';

/**
 * Uploads, scan start, metadata, download links and downloads of attachments, and the admins' list of
 * security alerts. Blobs are sealed with the district data keys by the process's field cipher and
 * stored in its blob store (STORAGE_BACKEND), both from the composition root.
 */
@Module({
  controllers: [AttachmentController, AttachmentDownloadController, SecurityAlertController],
  providers: [AttachmentScanStarter, AttachmentUploadService, AttachmentService, SecurityAlertService],
})
export class AttachmentModule {}
