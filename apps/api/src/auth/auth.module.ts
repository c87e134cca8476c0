import { Module } from '@nestjs/common';
import { type ApiConfig } from '../../../../libs/config/config';
import { FieldCipher } from '../../../../libs/crypto/envelope';
import { TokenSigner } from '../../../../libs/crypto/signed-tokens';
import { DeviceTokens } from '../../../../libs/identity/device-tokens';
import { OidcClient } from '../../../../libs/adapters/oidc/oidc-client';
import { TotpSecretBox } from '../../../../libs/identity/totp-secrets';
import { API_CONFIG } from '../common/tokens';
import { AuthController } from './auth.controller';
import { InvitationAcceptanceService } from './invitation-acceptance.service';
import { LoginRateLimiter } from './login-rate-limiter.service';
import { AccountSecurityController } from './account-security.controller';
import { AccountSecurityService } from './account-security.service';
import { ReauthenticationService } from './reauthentication.service';
import { SessionController } from './session.controller';
import { SessionService } from './session.service';
import { SignInService } from './sign-in.service';
import { OidcController } from './oidc.controller';
import { OIDC_CLIENT, OidcSignInService } from './oidc-sign-in.service';
import { SessionIssuer } from './session-issuer';
import { TotpController } from './totp.controller';
import { TotpService } from './totp.service';

@Module({
  controllers: [AuthController, TotpController, SessionController, AccountSecurityController, OidcController],
  providers: [
    AccountSecurityService,
    ReauthenticationService,
    SignInService,
    SessionIssuer,
    OidcSignInService,
    {
      provide: OIDC_CLIENT,
      inject: [API_CONFIG],
      useFactory: (config: ApiConfig) => new OidcClient(config.HOMEROOM_ENV, oidcCallbackUrl(config)),
    },
    SessionService,
    InvitationAcceptanceService,
    TotpService,
    LoginRateLimiter,
    {
      provide: TotpSecretBox,
      inject: [FieldCipher],
      useFactory: (cipher: FieldCipher) => new TotpSecretBox(cipher),
    },
    {
      provide: DeviceTokens,
      inject: [API_CONFIG],
      useFactory: (config: ApiConfig) =>
        new DeviceTokens(
          new TokenSigner(Buffer.from(config.API_SIGNING_KEY, 'base64'), 'device-token'),
          config.LOGIN_DEVICE_TOKEN_TTL_DAYS * 24 * 3600,
        ),
    },
  ],
})
export class AuthModule {}

/** The address identity providers send browsers back to; register it with each district's provider. */
export function oidcCallbackUrl(config: ApiConfig): string {
  const base = config.API_PUBLIC_URL ?? `http://${config.API_HOST}:${config.API_PORT}`;
  return new URL('v1/auth/oidc/callback', base.endsWith('/') ? base : `${base}/`).href;
}
