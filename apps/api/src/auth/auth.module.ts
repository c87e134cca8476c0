import { Module } from '@nestjs/common';
import { type ApiConfig } from '../../../../libs/config/config';
import { FieldCipher } from '../../../../libs/crypto/envelope';
import { LocalKeyWrapper } from '../../../../libs/crypto/key-wrapper';
import { parseMasterKeyRing } from '../../../../libs/crypto/master-key-ring';
import { TokenSigner } from '../../../../libs/crypto/signed-tokens';
import { Database } from '../../../../libs/db/database';
import { DeviceTokens } from '../../../../libs/identity/device-tokens';
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
import { TotpController } from './totp.controller';
import { TotpService } from './totp.service';

@Module({
  controllers: [AuthController, TotpController, SessionController, AccountSecurityController],
  providers: [
    AccountSecurityService,
    ReauthenticationService,
    SignInService,
    SessionService,
    InvitationAcceptanceService,
    TotpService,
    LoginRateLimiter,
    {
      provide: TotpSecretBox,
      inject: [Database, API_CONFIG],
      useFactory: (db: Database, config: ApiConfig) =>
        new TotpSecretBox(new FieldCipher(db.dataKeys, new LocalKeyWrapper(parseMasterKeyRing(config)))),
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
