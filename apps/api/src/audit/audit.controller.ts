import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiAuthenticated } from '../common/api-errors.decorator';
import { CurrentPrincipal } from '../auth/principal.decorator';
import { Roles } from '../auth/roles.decorator';
import { CursorCodec } from '../common/cursor';
import { type Principal } from '../common/request-context';
import { AuditPageDto, AuditVerificationDto, toAuditEventDto } from './audit.dto';
import { AuditService } from './audit.service';

@ApiTags('admin')
@ApiAuthenticated()
@Roles('district_admin')
@Controller('v1/admin/audit')
export class AuditController {
  constructor(
    private readonly audit: AuditService,
    private readonly cursors: CursorCodec,
  ) {}

  @Get()
  @ApiQuery({ name: 'cursor', required: false })
  @ApiOkResponse({ type: AuditPageDto, description: 'Oldest first, in chain order.' })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query('cursor') cursor?: string,
  ): Promise<AuditPageDto> {
    const { items, hasMore } = await this.audit.list(principal, this.cursors.decodeSeq(cursor));
    const last = items.at(-1);
    return {
      items: items.map(toAuditEventDto),
      nextCursor: hasMore && last ? this.cursors.encodeSeq(last.seq) : null,
    };
  }

  @Get('verify')
  @ApiOkResponse({ type: AuditVerificationDto })
  verify(@CurrentPrincipal() principal: Principal): Promise<AuditVerificationDto> {
    return this.audit.verify(principal);
  }
}
