import { Body, Controller, Headers, HttpCode, HttpStatus, Inject, Ip, Post, Res } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiAuthenticated, ApiCommonErrors, ApiError } from '../common/api-errors.decorator';
import { type Response } from 'express';
import { type ApiConfig } from '../../../../libs/config/config';
import { type Principal } from '../common/request-context';
import { API_CONFIG } from '../common/tokens';
import { AcceptInvitationDto, AcceptInvitationResponseDto, LoginDto, LoginResponseDto } from './auth.dto';
import { DEVICE_COOKIE, readDeviceCookie, setDeviceCookie } from './device-cookie';
import { InvitationAcceptanceService } from './invitation-acceptance.service';
import { CurrentPrincipal } from './principal.decorator';
import { Public } from './public.decorator';
import { SignInService } from './sign-in.service';

/**
 * The device cookie as an OpenAPI cookie parameter. ApiParam's options type leaves out `in` (it means
 * path parameters) but passes it through, so it is given through a variable.
 */
const DEVICE_COOKIE_PARAMETER = {
  name: DEVICE_COOKIE,
  in: 'cookie',
  required: false,
  schema: { type: 'string', maxLength: 512 },
  description: 'The device token of an earlier sign-in to this account (the body field takes precedence).',
} as const;

@ApiTags('auth')
@ApiCommonErrors()
@Controller('v1/auth')
export class AuthController {
  constructor(
    private readonly signIn: SignInService,
    private readonly invitations: InvitationAcceptanceService,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({
    type: LoginResponseDto,
    description: `Also sets the device token as the HttpOnly, SameSite=Strict cookie \`${DEVICE_COOKIE}\` (path /v1/auth).`,
    headers: { 'Set-Cookie': { description: `${DEVICE_COOKIE}=<deviceToken>`, schema: { type: 'string' } } },
  })
  @ApiParam(DEVICE_COOKIE_PARAMETER)
  @ApiError(401, 'INVALID_CREDENTIALS (the same for unknown user and wrong password), or TOTP_REQUIRED.')
  @ApiError(429, 'RATE_LIMITED, with Retry-After in seconds.')
  @ApiError(
    403,
    'ACCOUNT_SUSPENDED, or PASSWORD_SIGNIN_DISABLED where the district signs this role in through its identity provider (both said only when the password was right).',
  )
  async login(
    @Body() body: LoginDto,
    @Ip() clientAddress: string | undefined,
    @Headers('cookie') cookies: string | undefined,
    @Headers('user-agent') userAgent: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<LoginResponseDto> {
    const result = await this.signIn.login(
      { ...body, deviceToken: body.deviceToken ?? readDeviceCookie(cookies), userAgent },
      // Express leaves the address undefined once the socket is gone; such requests share one counter.
      clientAddress ?? 'unknown',
    );
    setDeviceCookie(
      res,
      result.deviceToken,
      result.deviceTokenExpiresAt,
      this.config.HOMEROOM_ENV === 'production',
    );
    return { accessToken: result.accessToken, expiresIn: result.expiresIn, deviceToken: result.deviceToken };
  }

  @Public()
  @Post('invitations/accept')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: AcceptInvitationResponseDto })
  @ApiError(400, 'The password breaks the policy; the invitation stays usable.')
  @ApiError(401, 'INVALID_INVITATION: unknown, used, expired or superseded token.')
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
