import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { type MessageAttachmentSummary } from '../../../../libs/db/repositories/message.repository';
import { MAX_BODY_CHARACTERS, MAX_REPORT_REASON_CHARACTERS } from '../../../../libs/messaging/message-body';

/** Attachments per message or announcement. */
export const MAX_ATTACHMENTS = 10;

const NOT_BLANK = /\S/;

/** A message, announcement or reply body: 1 to 10,000 characters, not only white space. */
export class BodyDto {
  @ApiProperty({
    minLength: 1,
    maxLength: MAX_BODY_CHARACTERS,
    pattern: NOT_BLANK.source,
    description: 'Plain text; stored encrypted.',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_BODY_CHARACTERS, { message: `body must be at most ${MAX_BODY_CHARACTERS} characters` })
  @Matches(NOT_BLANK, { message: 'body must not be blank' })
  body!: string;
}

export class SendMessageDto extends BodyDto {
  @ApiPropertyOptional({ type: [String], format: 'uuid', maxItems: MAX_ATTACHMENTS, nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_ATTACHMENTS)
  @IsUUID('all', { each: true })
  attachmentIds?: string[];
}

export class ReportMessageDto {
  @ApiProperty({ minLength: 1, maxLength: MAX_REPORT_REASON_CHARACTERS, pattern: NOT_BLANK.source })
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_REPORT_REASON_CHARACTERS)
  @Matches(NOT_BLANK, { message: 'reason must not be blank' })
  reason!: string;
}

export class CreatedIdDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
}

export class AttachmentSummaryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() filename!: string;
  @ApiProperty() size!: number;
  @ApiProperty() contentType!: string;
  @ApiProperty({ enum: ['scanning', 'clean', 'quarantined'] }) status!: string;
}

export class TranslationDto {
  @ApiProperty({ description: "The reader's preferred language." }) language!: string;
  @ApiProperty({ description: 'The translated text; `body` stays the original.' }) body!: string;
  @ApiProperty({ description: 'Who translated it; `local-pseudo` marks the embedded stack’s stand-in.' })
  provider!: string;
}

export class MessageDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) senderId!: string;
  @ApiProperty() body!: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ nullable: true, type: String, description: 'When the other participant read it.' })
  readAt!: string | null;
  @ApiProperty({ type: [AttachmentSummaryDto] }) attachments!: AttachmentSummaryDto[];
  @ApiPropertyOptional({ type: TranslationDto }) translation?: TranslationDto;
}

export class MessagePageDto {
  @ApiProperty({ type: [MessageDto], description: 'Newest first.' }) items!: MessageDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export function toAttachmentSummaryDto(attachment: MessageAttachmentSummary): AttachmentSummaryDto {
  return {
    id: attachment.id,
    filename: attachment.filename,
    size: Number(attachment.size),
    contentType: attachment.contentType,
    status: attachment.status,
  };
}
