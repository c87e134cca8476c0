import { Body, Controller, Get, Headers, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { ApiAuthenticated, ApiError, ApiUuidParam } from '../common/api-errors.decorator';
import { CurrentPrincipal } from '../auth/principal.decorator';
import { CursorCodec } from '../common/cursor';
import { idempotencyKeyFrom, idempotencyKeyHeaderDoc } from '../common/idempotency-key';
import { type Principal } from '../common/request-context';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import {
  AnnouncementDto,
  AnnouncementPageDto,
  AnnouncementPostedDto,
  PostAnnouncementDto,
  ReplyCreatedDto,
  ReplyDto,
  toAnnouncementDto,
  toAnnouncementPageDto,
} from './announcement.dto';
import { AnnouncementService } from './announcement.service';
import { ApiQuotaResponse } from '../quotas/api-quota-response.decorator';

@ApiTags('announcements')
@ApiAuthenticated()
@Controller('v1')
export class AnnouncementController {
  constructor(
    private readonly announcements: AnnouncementService,
    private readonly cursors: CursorCodec,
  ) {}

  @Post('sections/:sectionId/announcements')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiHeader(
    idempotencyKeyHeaderDoc(
      'A retried request with the same key returns the same announcement and never sends twice.',
    ),
  )
  @ApiAcceptedResponse({
    type: AnnouncementPostedDto,
    description: 'Stored; delivery runs in the background.',
  })
  @ApiError(403, "Anyone but the section's current teachers.")
  @ApiQuotaResponse('announcement')
  @ApiError(409, 'IDEMPOTENCY_KEY_REUSED: the key was used before for another section.')
  @ApiUuidParam('sectionId', 'No such section in the caller’s district.')
  post(
    @CurrentPrincipal() principal: Principal,
    @Param('sectionId', UuidParamPipe) sectionId: string,
    @Body() body: PostAnnouncementDto,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<AnnouncementPostedDto> {
    return this.announcements.post(principal, sectionId, {
      body: body.body,
      attachmentIds: body.attachmentIds,
      idempotencyKey: idempotencyKeyFrom(idempotencyKey),
    });
  }

  @Get('announcements')
  @ApiQuery({ name: 'cursor', required: false })
  @ApiOkResponse({
    type: AnnouncementPageDto,
    description: "The caller's received announcements, newest first.",
  })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query('cursor') cursor?: string,
  ): Promise<AnnouncementPageDto> {
    return toAnnouncementPageDto(
      await this.announcements.listReceived(principal, this.cursors.decodeCreatedAt(cursor)),
      this.cursors,
    );
  }

  @Get('announcements/:announcementId')
  @ApiOkResponse({ type: AnnouncementDto })
  @ApiUuidParam('announcementId', 'No such announcement, or not one the caller may read.')
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('announcementId', UuidParamPipe) announcementId: string,
  ): Promise<AnnouncementDto> {
    return toAnnouncementDto(await this.announcements.get(principal, announcementId));
  }

  @Post('announcements/:announcementId/read')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Recorded (the first read time is kept).' })
  @ApiUuidParam('announcementId', 'No such announcement, or not one the caller may read.')
  async read(
    @CurrentPrincipal() principal: Principal,
    @Param('announcementId', UuidParamPipe) announcementId: string,
  ): Promise<void> {
    await this.announcements.markRead(principal, announcementId);
  }

  @Post('announcements/:announcementId/replies')
  @ApiCreatedResponse({
    type: ReplyCreatedDto,
    description: 'The reply, in a one-to-one conversation with the author.',
  })
  @ApiHeader(
    idempotencyKeyHeaderDoc(
      'Makes the reply safe to retry: a retry with the same key and body answers with the same message ' +
        'and stores nothing new. Keys are per sender, shared with message sends.',
    ),
  )
  @ApiError(403, 'The caller may read but not reply (the author, for one).')
  @ApiQuotaResponse('message')
  @ApiUuidParam('announcementId', 'No such announcement, or not one the caller may read.')
  @ApiError(409, 'IDEMPOTENCY_KEY_REUSED: the key was used before for a different message.')
  reply(
    @CurrentPrincipal() principal: Principal,
    @Param('announcementId', UuidParamPipe) announcementId: string,
    @Body() body: ReplyDto,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<ReplyCreatedDto> {
    return this.announcements.reply(principal, announcementId, body.body, idempotencyKeyFrom(idempotencyKey));
  }
}
