import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import { type ConversationSummary } from '../../../../libs/db/repositories/conversation.repository';

export class CreateConversationDto {
  @ApiProperty({ format: 'uuid', description: 'The other participant.' })
  @IsUUID()
  participantId!: string;
}

export class ConversationDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: [String], description: 'Both participants’ user ids.' }) participants!: string[];
  @ApiProperty() lastMessageAt!: string;
  @ApiProperty() createdAt!: string;
}

export class ConversationPageDto {
  @ApiProperty({ type: [ConversationDto] }) items!: ConversationDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export function toConversationDto(c: ConversationSummary): ConversationDto {
  return {
    id: c.id,
    participants: [c.participantLowId, c.participantHighId],
    lastMessageAt: c.lastMessageAt.toISOString(),
    createdAt: c.createdAt.toISOString(),
  };
}
