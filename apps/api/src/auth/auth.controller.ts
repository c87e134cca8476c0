import { Body, Controller, HttpCode, HttpStatus, Ip, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiAuthenticated, ApiCommonErrors, ApiError } from '../common/api-errors.decorator';
import { type Principal } from '../common/request-context';
import { AcceptInvitationDto, AcceptInvitationResponseDto, LoginDto, LoginResponseDto } from './auth.dto';
import { InvitationAcceptanceService } from './invitation-acceptance.service';
import { CurrentPrincipal } from './principal.decorator';
import { Public } from './public.decorator';
import { SignInService } from './sign-in.service';

@ApiTags('auth')
@ApiCommonErrors()
@Controller('v1/auth')
export class AuthController {
  constructor(
    private readonly signIn: SignInService,
    private readonly invitations: InvitationAcceptanceService,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: LoginResponseDto })
  @ApiError(401, 'INVALID_CREDENTIALS (the same for unknown user and wrong password), or TOTP_REQUIRED.')
  @ApiError(429, 'RATE_LIMITED, with Retry-After in seconds.')
  login(@Body() body: LoginDto, @Ip() clientAddress: string | undefined): Promise<LoginResponseDto> {
    // Express leaves the address undefined once the socket is gone; such requests share one counter.
    return this.signIn.login(body, clientAddress ?? 'unknown');
  }

  @Public()
  @Post('invitations/accept')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: AcceptInvitationResponseDto })
  @ApiError(400, 'The password breaks the policy; the invitation stays usable.')
  @ApiError(401, 'INVALID_INVITATION: unknown, used or expired token.')
  accept(@Body() body: AcceptInvitationDto): Promise<AcceptInvitationResponseDto> {
    return this.invitations.accept(body.token, body.password);
  }

  @Post('logout')
  @ApiAuthenticated()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'The token no longer works.' })
  logout(@CurrentPrincipal() principal: Principal): Promise<void> {
    return this.signIn.logout(principal);
  }
}
