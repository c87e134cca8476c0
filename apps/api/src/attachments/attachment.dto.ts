import { ApiProperty } from '@nestjs/swagger';
import { type AttachmentRecord } from '../../../../libs/db/repositories/attachment.repository';
import { type SecurityAlertRecord } from '../../../../libs/db/repositories/security-alert.repository';

export class AttachmentUploadDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['scanning'] }) status!: 'scanning';
  @ApiProperty({ example: 'attachment-scan-<id>' }) workflowId!: string;
}

export class AttachmentDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'Sanitized name, with an extension matching the content.' }) filename!: string;
  @ApiProperty({ description: 'Bytes.' }) size!: number;
  @ApiProperty({ description: 'Decided by the content, not by the name or the client.' })
  contentType!: string;
  @ApiProperty({ description: 'SHA-256 of the content, hex.' }) sha256!: string;
  @ApiProperty({ enum: ['scanning', 'clean', 'quarantined'] }) status!: string;
}

export class DownloadLinkDto {
  @ApiProperty({ description: 'Works without a bearer token, for this user and this file, until expiresAt.' })
  url!: string;
  @ApiProperty() expiresAt!: string;
}

export class SecurityAlertDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'attachment_quarantined' }) kind!: string;
  @ApiProperty({ example: 'critical' }) severity!: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) attachmentId!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) messageId!: string | null;
  @ApiProperty({ type: Object, description: 'Ids, counts and signature names only.' }) details!: unknown;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ nullable: true, type: String }) acknowledgedAt!: string | null;
}

export class SecurityAlertPageDto {
  @ApiProperty({ type: [SecurityAlertDto] }) items!: SecurityAlertDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export function toAttachmentDto(attachment: AttachmentRecord): AttachmentDto {
  return {
    id: attachment.id,
    filename: attachment.filename,
    size: attachment.size,
    contentType: attachment.contentType,
    sha256: attachment.sha256,
    status: attachment.status,
  };
}

export function toSecurityAlertDto(alert: SecurityAlertRecord): SecurityAlertDto {
  return {
    id: alert.id,
    kind: alert.kind,
    severity: alert.severity,
    attachmentId: alert.attachmentId,
    messageId: alert.messageId,
    details: alert.details,
    createdAt: alert.createdAt.toISOString(),
    acknowledgedAt: alert.acknowledgedAt?.toISOString() ?? null,
  };
}
