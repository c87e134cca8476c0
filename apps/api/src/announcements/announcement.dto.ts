import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { type CursorCodec } from '../common/cursor';
import {
  AttachmentSummaryDto,
  BodyDto,
  SendMessageDto,
  toAttachmentSummaryDto,
  TranslationDto,
} from '../messages/message.dto';
import { type AnnouncementView } from './announcement.service';

export class PostAnnouncementDto extends SendMessageDto {}

export class ReplyDto extends BodyDto {}

export class AnnouncementPostedDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'announcement-3f0c…' }) workflowId!: string;
  @ApiProperty({ enum: ['fanning_out', 'delivered', 'failed'] }) status!: string;
}

export class DeliveryCountsDto {
  @ApiProperty({ description: 'People the announcement reaches, resolved at send time.' })
  recipients!: number;
  @ApiProperty() delivered!: number;
  @ApiProperty() read!: number;
}

export class AnnouncementDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) sectionId!: string;
  @ApiProperty({ format: 'uuid' }) authorId!: string;
  @ApiProperty() body!: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ type: [AttachmentSummaryDto] }) attachments!: AttachmentSummaryDto[];
  @ApiProperty({ nullable: true, type: String, description: 'When the caller read it (recipients).' })
  readAt!: string | null;
  @ApiPropertyOptional({
    enum: ['fanning_out', 'delivered', 'failed'],
    description: 'Author and teachers only.',
  })
  status?: string;
  @ApiPropertyOptional({ type: DeliveryCountsDto, description: 'Author and teachers only.' })
  delivery?: DeliveryCountsDto;
  @ApiPropertyOptional({ type: TranslationDto }) translation?: TranslationDto;
}

export class AnnouncementPageDto {
  @ApiProperty({ type: [AnnouncementDto], description: 'Newest first.' }) items!: AnnouncementDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class ReplyCreatedDto {
  @ApiProperty({ format: 'uuid' }) conversationId!: string;
  @ApiProperty({ format: 'uuid' }) messageId!: string;
}

export function toAnnouncementDto(view: AnnouncementView): AnnouncementDto {
  const { record } = view;
  return {
    id: record.id,
    sectionId: record.sectionId,
    authorId: record.authorId,
    body: view.body,
    createdAt: record.createdAt.toISOString(),
    attachments: record.attachments.map((link) => toAttachmentSummaryDto(link.attachment)),
    readAt: view.readAt?.toISOString() ?? null,
    ...(view.delivery ? { status: record.status, delivery: view.delivery } : {}),
    ...(view.translation ? { translation: view.translation } : {}),
  };
}

export function toAnnouncementPageDto(
  page: { items: AnnouncementView[]; hasMore: boolean },
  cursors: CursorCodec,
): AnnouncementPageDto {
  const last = page.items.at(-1)?.record;
  return {
    items: page.items.map(toAnnouncementDto),
    nextCursor: page.hasMore && last ? cursors.encodeTime({ at: last.createdAt, id: last.id }) : null,
  };
}
