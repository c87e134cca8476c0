import { Body, Controller, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiTags } from '@nestjs/swagger';
import { ApiAuthenticated, ApiError, ApiUuidParam } from '../common/api-errors.decorator';
import { CurrentPrincipal } from '../auth/principal.decorator';
import { type Principal } from '../common/request-context';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { CreatedIdDto, ReportMessageDto } from './message.dto';
import { MessageService } from './message.service';
import { ApiQuotaResponse } from '../quotas/api-quota-response.decorator';

@ApiTags('messages')
@ApiAuthenticated()
@Controller('v1/messages')
export class MessageController {
  constructor(private readonly messages: MessageService) {}

  @Post(':messageId/read')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Recorded (the first read time is kept).' })
  @ApiError(403, 'The caller may no longer use this conversation.')
  @ApiUuidParam('messageId', 'No such message in a conversation of the caller.')
  async read(
    @CurrentPrincipal() principal: Principal,
    @Param('messageId', UuidParamPipe) messageId: string,
  ): Promise<void> {
    await this.messages.markRead(principal, messageId);
  }

  @Post(':messageId/report')
  @ApiCreatedResponse({ type: CreatedIdDto, description: "The report; the district's admins get an alert." })
  @ApiQuotaResponse('report')
  @ApiUuidParam('messageId', 'No such message in a conversation of the caller.')
  report(
    @CurrentPrincipal() principal: Principal,
    @Param('messageId', UuidParamPipe) messageId: string,
    @Body() body: ReportMessageDto,
  ): Promise<CreatedIdDto> {
    return this.messages.report(principal, messageId, body.reason);
  }
}
