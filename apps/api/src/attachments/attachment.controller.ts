import { Controller, Get, HttpCode, HttpStatus, Param, Post, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiAuthenticated, ApiError, ApiUuidParam } from '../common/api-errors.decorator';
import { type Request } from 'express';
import { ApiFileUpload } from '../common/api-file-upload.decorator';
import { CurrentPrincipal } from '../auth/principal.decorator';
import { type Principal } from '../common/request-context';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { AttachmentDto, AttachmentUploadDto, DownloadLinkDto, toAttachmentDto } from './attachment.dto';
import { AttachmentService } from './attachment.service';
import { AttachmentUploadService } from './attachment-upload.service';
import { ApiQuotaResponse } from '../quotas/api-quota-response.decorator';

@ApiTags('attachments')
@ApiAuthenticated()
@Controller('v1/attachments')
export class AttachmentController {
  constructor(
    private readonly uploads: AttachmentUploadService,
    private readonly attachments: AttachmentService,
  ) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiFileUpload()
  @ApiAcceptedResponse({ type: AttachmentUploadDto, description: 'Stored encrypted; the scan has started.' })
  @ApiError(413, 'Larger than UPLOAD_MAX_BYTES.')
  @ApiQuotaResponse('upload (count or bytes)')
  @ApiError(415, 'The content is not on the allow-list.')
  upload(@CurrentPrincipal() principal: Principal, @Req() req: Request): Promise<AttachmentUploadDto> {
    return this.uploads.upload(principal, req);
  }

  @Get(':id')
  @ApiOkResponse({ type: AttachmentDto })
  @ApiUuidParam('id', 'Unknown, or not visible to the caller.')
  async describe(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<AttachmentDto> {
    return toAttachmentDto(await this.attachments.describe(principal, id));
  }

  @Post(':id/links')
  @ApiCreatedResponse({ type: DownloadLinkDto })
  @ApiError(409, 'NOT_SCANNED: the scan has not released the file yet.')
  @ApiError(410, 'QUARANTINED: the file was malicious and is destroyed.')
  @ApiUuidParam('id')
  async issueLink(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<DownloadLinkDto> {
    const link = await this.attachments.issueLink(principal, id);
    return { url: link.url, expiresAt: link.expiresAt.toISOString() };
  }
}
