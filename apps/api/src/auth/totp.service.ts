import { Inject, Injectable } from '@nestjs/common';
import { type ApiConfig } from '../../../../libs/config/config';
import { Database } from '../../../../libs/db/database';
import {
  ConflictError,
  NotFoundError,
  ValidationFailedError,
} from '../../../../libs/domain/errors/domain-errors';
import { matchTotpStep, newTotpSecret, otpauthUrl } from '../../../../libs/identity/totp';
import { TotpSecretBox } from '../../../../libs/identity/totp-secrets';
import { type Principal } from '../common/request-context';
import { API_CONFIG } from '../common/tokens';
import { ReauthenticationService } from './reauthentication.service';

/**
 * Self-service TOTP for any signed-in user: enrol (a pending secret), then prove it with a code, after
 * which every sign-in needs one. Replacing an enabled secret is not self-service: it would let a stolen
 * session lock the owner out, so it takes a new invitation.
 */
@Injectable()
export class TotpService {
  constructor(
    private readonly db: Database,
    private readonly totpSecrets: TotpSecretBox,
    private readonly reauthentication: ReauthenticationService,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  /** Asks for the password again: a session alone must not be enough to bind someone's authenticator. */
  async enroll(principal: Principal, password: string): Promise<{ otpauthUrl: string }> {
    await this.reauthentication.require(principal, password);
    const tenant = this.db.forDistrict(principal.districtId);
    const user = await tenant.users.findCredentials(principal.userId);
    if (!user) throw new NotFoundError('The user');
    if (user.totpEnabled) throw alreadyEnabled();
    const secret = newTotpSecret();
    const sealed = await this.totpSecrets.seal(principal.districtId, user.id, secret);
    const url = otpauthUrl(secret, this.config.TOTP_ISSUER, user.username ?? user.id);
    secret.fill(0);
    await this.db.transaction(principal.districtId, async (tx) => {
      await tx.users.setTotpSecret(user.id, { ...sealed, enabled: false });
      await tx.audit.append({
        actorId: user.id,
        action: 'totp.enrolled',
        targetType: 'user',
        targetId: user.id,
      });
    });
    return { otpauthUrl: url };
  }

  async verify(principal: Principal, code: string): Promise<void> {
    const tenant = this.db.forDistrict(principal.districtId);
    const user = await tenant.users.findCredentials(principal.userId);
    if (!user) throw new NotFoundError('The user');
    if (user.totpEnabled) throw alreadyEnabled();
    if (!user.totpSecretCiphertext || !user.totpDataKeyId) {
      throw new ConflictError('TOTP_NOT_ENROLLED', 'Start with POST /v1/auth/totp/enroll.');
    }
    const secret = await this.totpSecrets.open(user.id, {
      ciphertext: user.totpSecretCiphertext,
      dataKeyId: user.totpDataKeyId,
    });
    const step = matchTotpStep(secret, code, Date.now());
    secret.fill(0);
    if (step === null) {
      throw new ValidationFailedError('The code does not match; check the authenticator app and its clock.', [
        { field: 'code', message: 'does not match' },
      ]);
    }
    await this.db.transaction(principal.districtId, async (tx) => {
      if (!(await tx.users.enableTotp(user.id, step))) throw alreadyEnabled();
      await tx.audit.append({
        actorId: user.id,
        action: 'totp.verified',
        targetType: 'user',
        targetId: user.id,
      });
    });
  }
}

function alreadyEnabled(): ConflictError {
  return new ConflictError('TOTP_ALREADY_ENABLED', 'Two-step sign-in is already enabled for this account.');
}
