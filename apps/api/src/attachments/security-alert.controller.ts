import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/principal.decorator';
import { Roles } from '../auth/roles.decorator';
import { ApiAuthenticated } from '../common/api-errors.decorator';
import { type Principal } from '../common/request-context';
import { SecurityAlertPageDto } from './attachment.dto';
import { SecurityAlertService } from './security-alert.service';

/** Security alerts (quarantines, scanner outages and others), newest first, within the admin's scope. */
@ApiTags('admin')
@ApiAuthenticated()
@Roles('district_admin', 'school_admin')
@Controller('v1/admin/alerts')
export class SecurityAlertController {
  constructor(private readonly alerts: SecurityAlertService) {}

  @Get()
  @ApiQuery({ name: 'cursor', required: false })
  @ApiOkResponse({ type: SecurityAlertPageDto })
  list(
    @CurrentPrincipal() principal: Principal,
    @Query('cursor') cursor?: string,
  ): Promise<SecurityAlertPageDto> {
    return this.alerts.list(principal, cursor);
  }
}
