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
import { ValidationFailedError } from '../../../../libs/errors/domain-errors';
import { CurrentPrincipal } from '../auth/principal.decorator';
import { ApiAuthenticated, ApiError, ApiUuidParam, ApiWrite } from '../common/api-errors.decorator';
import { type Principal } from '../common/request-context';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { decodeCreatedAtCursor } from '../messages/message-cursor';
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

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,200}$/;

@ApiTags('announcements')
@ApiAuthenticated()
@Controller('v1')
export class AnnouncementController {
  constructor(private readonly announcements: AnnouncementService) {}

  @Post('sections/:sectionId/announcements')
  @ApiWrite()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiHeader({
    // Spelled as the @Headers parameter below, so the document names one optional header, not two.
    name: 'idempotency-key',
    required: false,
    schema: { type: 'string', pattern: IDEMPOTENCY_KEY.source },
    description: 'A retried request with the same key returns the same announcement and never sends twice.',
  })
  @ApiAcceptedResponse({
    type: AnnouncementPostedDto,
    description: 'Stored; delivery runs in the background.',
  })
  @ApiError(403, "Anyone but the section's current teachers.")
  @ApiUuidParam('sectionId', 'No such section in the caller’s district.')
  post(
    @CurrentPrincipal() principal: Principal,
    @Param('sectionId', UuidParamPipe) sectionId: string,
    @Body() body: PostAnnouncementDto,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<AnnouncementPostedDto> {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new ValidationFailedError(
        'The Idempotency-Key header must be 1 to 200 letters, digits or . _ : -.',
      );
    }
    return this.announcements.post(principal, sectionId, {
      body: body.body,
      attachmentIds: body.attachmentIds,
      idempotencyKey,
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
      await this.announcements.listReceived(principal, decodeCreatedAtCursor(cursor)),
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
  @ApiWrite()
  @ApiCreatedResponse({
    type: ReplyCreatedDto,
    description: 'The reply, in a one-to-one conversation with the author.',
  })
  @ApiError(403, 'The caller may read but not reply (the author, for one).')
  @ApiUuidParam('announcementId', 'No such announcement, or not one the caller may read.')
  reply(
    @CurrentPrincipal() principal: Principal,
    @Param('announcementId', UuidParamPipe) announcementId: string,
    @Body() body: ReplyDto,
  ): Promise<ReplyCreatedDto> {
    return this.announcements.reply(principal, announcementId, body.body);
  }
}
