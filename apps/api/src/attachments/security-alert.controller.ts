import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Database } from '../../../../libs/db/database';
import { ValidationFailedError } from '../../../../libs/errors/domain-errors';
import { CurrentPrincipal } from '../auth/principal.decorator';
import { Roles } from '../auth/roles.decorator';
import { decodeCursor, encodeCursor } from '../common/cursor';
import { type Principal } from '../common/request-context';
import { SecurityAlertPageDto, toSecurityAlertDto } from './attachment.dto';

const PAGE_SIZE = 50;

/** The district's security alerts (quarantines, scanner outages and others), newest first. */
@ApiTags('admin')
@ApiBearerAuth()
@Roles('district_admin', 'school_admin')
@Controller('v1/admin/alerts')
export class SecurityAlertController {
  constructor(private readonly db: Database) {}

  @Get()
  @ApiQuery({ name: 'cursor', required: false })
  @ApiOkResponse({ type: SecurityAlertPageDto })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query('cursor') cursor?: string,
  ): Promise<SecurityAlertPageDto> {
    const key = decodeCursor(cursor, ['createdAt', 'id'] as const);
    const before = key ? { createdAt: new Date(key.createdAt), id: key.id } : undefined;
    if (before && Number.isNaN(before.createdAt.getTime()))
      throw new ValidationFailedError('The cursor is not valid.');
    const items = await this.db
      .forDistrict(principal.districtId)
      .securityAlerts.list({ limit: PAGE_SIZE, before });
    const last = items.at(-1);
    return {
      items: items.map(toSecurityAlertDto),
      nextCursor:
        items.length === PAGE_SIZE && last
          ? encodeCursor({ createdAt: last.createdAt.toISOString(), id: last.id })
          : null,
    };
  }
}
