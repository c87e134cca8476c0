import { Body, Controller, Get, HttpStatus, Param, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { type Response } from 'express';
import { ValidationFailedError } from '../../../../libs/errors/domain-errors';
import { CurrentPrincipal } from '../auth/principal.decorator';
import { decodeCursor, encodeCursor } from '../common/cursor';
import { ApiAuthenticated, ApiError, ApiUuidParam, ApiWrite } from '../common/api-errors.decorator';
import { type Principal } from '../common/request-context';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { decodeCreatedAtCursor } from '../messages/message-cursor';
import { CreatedIdDto, MessagePageDto, SendMessageDto } from '../messages/message.dto';
import { toMessagePageDto } from '../messages/message.mapper';
import { MessageService } from '../messages/message.service';
import {
  ConversationDto,
  ConversationPageDto,
  CreateConversationDto,
  toConversationDto,
} from './conversation.dto';
import { ConversationService } from './conversation.service';

@ApiTags('conversations')
@ApiAuthenticated()
@Controller('v1/conversations')
export class ConversationController {
  constructor(
    private readonly conversations: ConversationService,
    private readonly messages: MessageService,
  ) {}

  @Post()
  @ApiCreatedResponse({ type: ConversationDto, description: 'Created.' })
  @ApiOkResponse({ type: ConversationDto, description: 'The pair’s conversation already existed.' })
  @ApiError(403, 'The messaging policy does not allow this pair.')
  @ApiError(404, 'No such participant in the caller’s district.')
  async open(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateConversationDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ConversationDto> {
    const { conversation, created } = await this.conversations.open(
      principal,
      body.participantId.toLowerCase(),
    );
    res.status(created ? HttpStatus.CREATED : HttpStatus.OK);
    return toConversationDto(conversation);
  }

  @Get()
  @ApiQuery({ name: 'cursor', required: false })
  @ApiOkResponse({ type: ConversationPageDto, description: 'Newest activity first.' })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query('cursor') cursor?: string,
  ): Promise<ConversationPageDto> {
    const key = decodeCursor(cursor, ['lastMessageAt', 'id'] as const);
    const before = key ? { lastMessageAt: new Date(key.lastMessageAt), id: key.id } : undefined;
    if (before && Number.isNaN(before.lastMessageAt.getTime()))
      throw new ValidationFailedError('The cursor is not valid.');
    const { items, hasMore } = await this.conversations.list(principal, before);
    const last = items.at(-1);
    return {
      items: items.map(toConversationDto),
      nextCursor:
        hasMore && last
          ? encodeCursor({ lastMessageAt: last.lastMessageAt.toISOString(), id: last.id })
          : null,
    };
  }

  @Get(':conversationId/messages')
  @ApiQuery({ name: 'cursor', required: false })
  @ApiOkResponse({ type: MessagePageDto, description: 'Newest first, keyset-paginated.' })
  @ApiError(403, 'The policy no longer allows this pair to message.')
  @ApiUuidParam('conversationId', 'No such conversation of the caller.')
  async messagesPage(
    @CurrentPrincipal() principal: Principal,
    @Param('conversationId', UuidParamPipe) conversationId: string,
    @Query('cursor') cursor?: string,
  ): Promise<MessagePageDto> {
    const before = decodeCreatedAtCursor(cursor);
    return toMessagePageDto(await this.messages.list(principal, conversationId, before));
  }

  @Post(':conversationId/messages')
  @ApiWrite()
  @ApiCreatedResponse({ type: CreatedIdDto })
  @ApiError(403, 'The policy no longer allows this pair to message.')
  @ApiUuidParam('conversationId', 'No such conversation of the caller.')
  async send(
    @CurrentPrincipal() principal: Principal,
    @Param('conversationId', UuidParamPipe) conversationId: string,
    @Body() body: SendMessageDto,
  ): Promise<CreatedIdDto> {
    const message = await this.messages.send(principal, conversationId, body.body, body.attachmentIds);
    return { id: message.id };
  }
}
