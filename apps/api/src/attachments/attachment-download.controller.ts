import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { type Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { attachmentDisposition } from '../../../../libs/attachments/content-disposition';
import { type Logger } from '../../../../libs/logging/logger';
import { Public } from '../auth/public.decorator';
import { ApiCommonErrors, ApiError, ApiUuidParam } from '../common/api-errors.decorator';
import { LOGGER } from '../common/tokens';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { AttachmentService } from './attachment.service';

/**
 * The URL a download link names. It carries its own credential — the link token in the path — so a
 * browser can open it without a bearer header; the session guard is therefore skipped here, and an
 * unknown or expired token answers 401 like any unauthenticated request.
 */
@ApiTags('attachments')
@ApiCommonErrors()
@Controller('v1/attachments')
export class AttachmentDownloadController {
  constructor(
    private readonly attachments: AttachmentService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Get(':id/content/:token')
  @Public()
  @ApiOkResponse({ description: 'The decrypted file, as an attachment download.' })
  @ApiError(401, 'The link is unknown, expired, or for another file.')
  @ApiUuidParam('id')
  async download(
    @Param('id', UuidParamPipe) id: string,
    @Param('token') token: string,
    @Res() res: Response,
  ): Promise<void> {
    const { attachment, content } = await this.attachments.openDownload(id, token);
    res.status(200);
    res.setHeader('Content-Type', attachment.contentType);
    res.setHeader('Content-Length', String(attachment.size));
    res.setHeader('Content-Disposition', attachmentDisposition(attachment.filename));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    try {
      await pipeline(content, res);
    } catch (error) {
      // Bytes already sent are void: cutting the connection makes the client see a failed download.
      res.destroy();
      this.logger.error({ attachmentId: attachment.id, err: String(error) }, 'attachment download aborted');
    }
  }
}
