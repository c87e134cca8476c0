import { Body, Controller, Get, Headers, HttpStatus, Param, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiAuthenticated, ApiError, ApiUuidParam } from '../common/api-errors.decorator';
import { type Response } from 'express';
import { CurrentPrincipal } from '../auth/principal.decorator';
import { CursorCodec } from '../common/cursor';
import { idempotencyKeyFrom, idempotencyKeyHeaderDoc } from '../common/idempotency-key';
import { type Principal } from '../common/request-context';
import { UuidParamPipe } from '../common/uuid-param.pipe';
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
import { ApiQuotaResponse } from '../quotas/api-quota-response.decorator';

@ApiTags('conversations')
@ApiAuthenticated()
@Controller('v1/conversations')
export class ConversationController {
  constructor(
    private readonly conversations: ConversationService,
    private readonly messages: MessageService,
    private readonly cursors: CursorCodec,
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
    const key = this.cursors.decodeTime(cursor);
    const before = key ? { lastMessageAt: key.at, id: key.id } : undefined;
    const { items, hasMore } = await this.conversations.list(principal, before);
    const last = items.at(-1);
    return {
      items: items.map(toConversationDto),
      nextCursor: hasMore && last ? this.cursors.encodeTime({ at: last.lastMessageAt, id: last.id }) : null,
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
    const before = this.cursors.decodeCreatedAt(cursor);
    return toMessagePageDto(await this.messages.list(principal, conversationId, before), this.cursors);
  }

  @Post(':conversationId/messages')
  @ApiHeader(
    idempotencyKeyHeaderDoc(
      'Makes the send safe to retry: a retry with the same key and the same body answers 201 with the ' +
        'same message id and stores nothing new. Keys are per sender.',
    ),
  )
  @ApiCreatedResponse({ type: CreatedIdDto })
  @ApiQuotaResponse('message')
  @ApiError(403, 'The policy no longer allows this pair to message.')
  @ApiUuidParam('conversationId', 'No such conversation of the caller.')
  @ApiError(
    409,
    'IDEMPOTENCY_KEY_REUSED: the key was used before for another conversation, body or attachments.',
  )
  @ApiError(503, 'UNAVAILABLE: a dependency is briefly down; retry after Retry-After with the same key.')
  async send(
    @CurrentPrincipal() principal: Principal,
    @Param('conversationId', UuidParamPipe) conversationId: string,
    @Body() body: SendMessageDto,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<CreatedIdDto> {
    const message = await this.messages.send(principal, conversationId, body.body, {
      attachmentIds: body.attachmentIds,
      idempotencyKey: idempotencyKeyFrom(idempotencyKey),
    });
    return { id: message.id };
  }
}
