import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/principal.decorator';
import { ApiAuthenticated, ApiError } from '../common/api-errors.decorator';
import { type Principal } from '../common/request-context';
import { ProfileDto, toProfileDto, UpdateProfileDto } from './me.dto';
import { MeService } from './me.service';

@ApiTags('me')
@ApiAuthenticated()
@Controller('v1/me')
export class MeController {
  constructor(private readonly me: MeService) {}

  @Get()
  @ApiOkResponse({ type: ProfileDto })
  async get(@CurrentPrincipal() principal: Principal): Promise<ProfileDto> {
    return toProfileDto(await this.me.profile(principal));
  }

  @Patch()
  @ApiOkResponse({ type: ProfileDto })
  @ApiError(400, 'Not a language the provider supports; nothing changed.')
  async update(
    @CurrentPrincipal() principal: Principal,
    @Body() body: UpdateProfileDto,
  ): Promise<ProfileDto> {
    return toProfileDto(await this.me.setPreferredLanguage(principal, body.preferredLanguage));
  }
}
