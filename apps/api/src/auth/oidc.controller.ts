import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  HttpStatus,
  Inject,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { ApiFoundResponse, ApiOkResponse, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiCommonErrors, ApiError } from '../common/api-errors.decorator';
import { type Request, type Response } from 'express';
import { type ApiConfig } from '../../../../libs/config/config';
import { API_CONFIG } from '../common/tokens';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { readCookie } from './device-cookie';
import { OidcExchangeDto, OidcExchangeResponseDto, OidcStartQueryDto } from './oidc.dto';
import { OidcSignInService } from './oidc-sign-in.service';
import { Public } from './public.decorator';

/** Ties the callback to the browser that started the sign-in (against login CSRF). */
export const OIDC_BINDING_COOKIE = 'homeroom_oidc';
const COOKIE_PATH = '/v1/auth/oidc';

const BINDING_COOKIE_PARAMETER = {
  name: OIDC_BINDING_COOKIE,
  in: 'cookie',
  required: false,
  schema: { type: 'string', maxLength: 512 },
  description: 'Set by the start of the sign-in; the callback must come from the same browser.',
} as const;

const CALLBACK_ERRORS =
  'sign_in_expired (used or expired state), sign_in_not_bound (another browser), sign_in_unavailable, ' +
  'idp_refused, idp_unavailable, id_token_rejected (signature, issuer, audience, expiry or nonce), ' +
  'claim_missing, email_not_verified, user_not_found, ambiguous_user, account_inactive, ' +
  'account_suspended, admin_not_allowed';

@ApiTags('auth')
@ApiCommonErrors()
@Controller('v1/auth/oidc')
export class OidcController {
  constructor(
    private readonly oidc: OidcSignInService,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  @Public()
  @Get(':districtId/start')
  @ApiParam({ name: 'districtId', format: 'uuid' })
  @ApiFoundResponse({
    description: `To the district's identity provider (Location), with the cookie ${OIDC_BINDING_COOKIE}.`,
    headers: { Location: { schema: { type: 'string' } }, 'Set-Cookie': { schema: { type: 'string' } } },
  })
  @ApiError(400, 'VALIDATION_FAILED: redirectUri is not one the district registered (no redirect).')
  @ApiError(404, 'NOT_FOUND: no such district, or it has no school sign-in.')
  @ApiError(503, 'UNAVAILABLE: the identity provider cannot be reached.')
  async start(
    @Param('districtId', UuidParamPipe) districtId: string,
    @Query() query: OidcStartQueryDto,
    @Res() res: Response,
  ): Promise<void> {
    const started = await this.oidc.start(districtId, query.redirectUri, new Date());
    res.cookie(OIDC_BINDING_COOKIE, started.browserBinding, {
      httpOnly: true,
      // Lax, not Strict: the identity provider's redirect back is a cross-site top-level navigation.
      sameSite: 'lax',
      secure: this.config.HOMEROOM_ENV === 'production',
      path: COOKIE_PATH,
      maxAge: started.maxAgeSeconds * 1000,
      encode: (value) => value,
    });
    res.redirect(HttpStatus.FOUND, started.location);
  }

  @Public()
  @Get('callback')
  @ApiParam(BINDING_COOKIE_PARAMETER)
  @ApiQuery({ name: 'state', required: true, schema: { type: 'string', maxLength: 200 } })
  @ApiQuery({ name: 'code', required: false, schema: { type: 'string', maxLength: 2000 } })
  @ApiQuery({ name: 'error', required: false, schema: { type: 'string', maxLength: 200 } })
  @ApiFoundResponse({
    description: `To the sign-in's redirectUri with \`code\` (one-time, for POST /v1/auth/oidc/exchange) or \`error\`: ${CALLBACK_ERRORS}.`,
    headers: { Location: { schema: { type: 'string' } } },
  })
  @ApiError(400, 'VALIDATION_FAILED: the state is missing or names no sign-in (no redirect).')
  @ApiError(503, 'UNAVAILABLE: school sign-in is misconfigured for the district.')
  async callback(@Req() req: Request, @Headers('cookie') cookies: string | undefined, @Res() res: Response) {
    const query = new URL(req.originalUrl, 'http://callback.invalid').searchParams;
    const location = await this.oidc.callback(query, readCookie(cookies, OIDC_BINDING_COOKIE), new Date());
    res.clearCookie(OIDC_BINDING_COOKIE, { path: COOKIE_PATH });
    res.redirect(HttpStatus.FOUND, location);
  }

  @Public()
  @Post('exchange')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: OidcExchangeResponseDto })
  @ApiError(400, 'VALIDATION_FAILED: not a sign-in code.')
  @ApiError(401, 'INVALID_SIGN_IN_CODE: unknown, used or expired code.')
  @ApiError(403, 'ACCOUNT_SUSPENDED: suspended since the sign-in.')
  async exchange(
    @Body() body: OidcExchangeDto,
    @Headers('user-agent') userAgent: string | undefined,
  ): Promise<OidcExchangeResponseDto> {
    return this.oidc.exchange(body.code, userAgent, new Date());
  }
}
