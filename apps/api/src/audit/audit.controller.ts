import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ValidationFailedError } from '../../../../libs/errors/domain-errors';
import { CurrentPrincipal } from '../auth/principal.decorator';
import { Roles } from '../auth/roles.decorator';
import { decodeCursor, encodeCursor } from '../common/cursor';
import { ApiAuthenticated } from '../common/api-errors.decorator';
import { type Principal } from '../common/request-context';
import { AuditPageDto, AuditVerificationDto, toAuditEventDto } from './audit.dto';
import { AuditService } from './audit.service';

@ApiTags('admin')
@ApiAuthenticated()
@Roles('district_admin')
@Controller('v1/admin/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiQuery({ name: 'cursor', required: false })
  @ApiOkResponse({ type: AuditPageDto, description: 'Oldest first, in chain order.' })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query('cursor') cursor?: string,
  ): Promise<AuditPageDto> {
    const key = decodeCursor(cursor, ['seq'] as const);
    if (key && !/^\d{1,18}$/.test(key.seq)) throw new ValidationFailedError('The cursor is not valid.');
    const { items, hasMore } = await this.audit.list(principal, key ? BigInt(key.seq) : undefined);
    const last = items.at(-1);
    return {
      items: items.map(toAuditEventDto),
      nextCursor: hasMore && last ? encodeCursor({ seq: last.seq.toString() }) : null,
    };
  }

  @Get('verify')
  @ApiOkResponse({ type: AuditVerificationDto })
  verify(@CurrentPrincipal() principal: Principal): Promise<AuditVerificationDto> {
    return this.audit.verify(principal);
  }
}
