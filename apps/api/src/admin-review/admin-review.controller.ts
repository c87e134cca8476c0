import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiAuthenticated, ApiUuidParam } from '../common/api-errors.decorator';
import { CurrentPrincipal } from '../auth/principal.decorator';
import { Roles } from '../auth/roles.decorator';
import { CursorCodec } from '../common/cursor';
import { type Principal } from '../common/request-context';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { MessagePageDto } from '../messages/message.dto';
import { toMessagePageDto } from '../messages/message.mapper';
import { AdminReviewService } from './admin-review.service';

@ApiTags('admin')
@ApiAuthenticated()
@Controller('v1/admin/conversations')
@Roles('district_admin', 'school_admin')
export class AdminReviewController {
  constructor(
    private readonly review: AdminReviewService,
    private readonly cursors: CursorCodec,
  ) {}

  @Get(':conversationId/messages')
  @ApiQuery({ name: 'cursor', required: false })
  @ApiOkResponse({ type: MessagePageDto, description: 'Newest first; each read is an audit event.' })
  @ApiUuidParam('conversationId', 'No such conversation in the district.')
  async messages(
    @CurrentPrincipal() principal: Principal,
    @Param('conversationId', UuidParamPipe) conversationId: string,
    @Query('cursor') cursor?: string,
  ): Promise<MessagePageDto> {
    const before = this.cursors.decodeCreatedAt(cursor);
    return toMessagePageDto(
      await this.review.conversationMessages(principal, conversationId, before),
      this.cursors,
    );
  }
}
