import { type CursorCodec } from '../common/cursor';
import { type MessageDto, type MessagePageDto, toAttachmentSummaryDto } from './message.dto';
import { type MessageView } from './message.service';

export function toMessageDto({ message, body, translation }: MessageView): MessageDto {
  return {
    id: message.id,
    senderId: message.senderId,
    body,
    createdAt: message.createdAt.toISOString(),
    readAt: message.readAt?.toISOString() ?? null,
    attachments: message.attachments.map(toAttachmentSummaryDto),
    ...(translation ? { translation } : {}),
  };
}

export function toMessagePageDto(
  page: { items: MessageView[]; hasMore: boolean },
  cursors: CursorCodec,
): MessagePageDto {
  const last = page.items.at(-1)?.message;
  return {
    items: page.items.map(toMessageDto),
    nextCursor: page.hasMore && last ? cursors.encodeTime({ at: last.createdAt, id: last.id }) : null,
  };
}
