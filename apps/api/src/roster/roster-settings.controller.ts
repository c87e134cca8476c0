import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiAuthenticated, ApiError } from '../common/api-errors.decorator';
import { CurrentPrincipal } from '../auth/principal.decorator';
import { Roles } from '../auth/roles.decorator';
import { type Principal } from '../common/request-context';
import { RosterSettingsDto } from './roster-settings.dto';
import { RosterSettingsService } from './roster-settings.service';

/** District admins only, like imports: the threshold decides what the whole district's roster may lose. */
@ApiTags('admin')
@ApiAuthenticated()
@Roles('district_admin')
@Controller('v1/admin/roster/settings')
export class RosterSettingsController {
  constructor(private readonly settings: RosterSettingsService) {}

  @Get()
  @ApiOkResponse({ type: RosterSettingsDto, description: 'The defaults until the district saves its own.' })
  get(@CurrentPrincipal() principal: Principal): Promise<RosterSettingsDto> {
    return this.settings.get(principal);
  }

  @Put()
  @ApiOkResponse({ type: RosterSettingsDto })
  @ApiError(400, 'A threshold outside 1–100, or an unknown source kind.')
  put(@CurrentPrincipal() principal: Principal, @Body() body: RosterSettingsDto): Promise<RosterSettingsDto> {
    return this.settings.put(principal, body);
  }
}
