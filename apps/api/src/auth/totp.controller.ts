import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiAuthenticated, ApiError } from '../common/api-errors.decorator';
import { type Principal } from '../common/request-context';
import { PasswordConfirmationDto } from './account-security.controller';
import { TotpEnrolmentDto, VerifyTotpDto } from './auth.dto';
import { CurrentPrincipal } from './principal.decorator';
import { TotpService } from './totp.service';

@ApiTags('auth')
@ApiAuthenticated()
@Controller('v1/auth/totp')
export class TotpController {
  constructor(private readonly totp: TotpService) {}

  @Post('enroll')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: TotpEnrolmentDto })
  @ApiError(409, 'TOTP_ALREADY_ENABLED')
  @ApiError(403, 'INVALID_PASSWORD: enrolment asks for the password again.')
  enroll(
    @CurrentPrincipal() principal: Principal,
    @Body() body: PasswordConfirmationDto,
  ): Promise<TotpEnrolmentDto> {
    return this.totp.enroll(principal, body.password);
  }

  @Post('verify')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Enabled: every later sign-in needs a code.' })
  @ApiError(400, 'The code does not match.')
  @ApiError(409, 'TOTP_NOT_ENROLLED or TOTP_ALREADY_ENABLED')
  verify(@CurrentPrincipal() principal: Principal, @Body() body: VerifyTotpDto): Promise<void> {
    return this.totp.verify(principal, body.code);
  }
}
