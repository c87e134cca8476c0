import { Module } from '@nestjs/common';
import { type ApiConfig } from '../../../../libs/config/config';
import { FieldCipher } from '../../../../libs/crypto/envelope';
import { LocalKeyWrapper } from '../../../../libs/crypto/key-wrapper';
import { parseMasterKeyRing } from '../../../../libs/crypto/master-key-ring';
import { Database } from '../../../../libs/db/database';
import { TotpSecretBox } from '../../../../libs/identity/totp-secrets';
import { API_CONFIG } from '../common/tokens';
import { AuthController } from './auth.controller';
import { InvitationAcceptanceService } from './invitation-acceptance.service';
import { LoginRateLimiter } from './login-rate-limiter.service';
import { SessionController } from './session.controller';
import { SessionService } from './session.service';
import { SignInService } from './sign-in.service';
import { TotpController } from './totp.controller';
import { TotpService } from './totp.service';

@Module({
  controllers: [AuthController, TotpController, SessionController],
  providers: [
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
  ],
})
export class AuthModule {}
