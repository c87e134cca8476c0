import { Inject, Injectable } from '@nestjs/common';
import { type ApiConfig } from '../../../../libs/config/config';
import { Database } from '../../../../libs/db/database';
import { RateLimitedError, ReauthenticationFailedError } from '../../../../libs/domain/errors/domain-errors';
import { verifyPassword } from '../../../../libs/identity/passwords';
import { fixedWindow, retryAfterSeconds } from '../../../../libs/domain/limits/fixed-window';
import { type Principal } from '../common/request-context';
import { API_CONFIG } from '../common/tokens';

/**
 * Steps that would let a stolen session take the account over for good (a new password, a new
 * authenticator, recovery codes) first ask for the password again. Wrong answers count per account
 * under the sign-in limit, so a session cannot be used to guess the password either.
 */
@Injectable()
export class ReauthenticationService {
  constructor(
    private readonly db: Database,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async require(principal: Principal, password: string): Promise<void> {
    const now = Date.now();
    const window = fixedWindow(now, this.config.LOGIN_RATE_WINDOW_SECONDS);
    const key = `reauth:user:${principal.userId}`;
    const attempts = (await this.db.rateLimits.hit([key], window.start)).get(key) ?? 0;
    if (attempts > this.config.LOGIN_MAX_ATTEMPTS_PER_ACCOUNT) {
      throw new RateLimitedError(retryAfterSeconds(window, now));
    }
    const tenant = this.db.forDistrict(principal.districtId);
    const user = await tenant.users.findCredentials(principal.userId);
    if (!user?.passwordHash || !(await verifyPassword(user.passwordHash, password))) {
      await tenant.audit.append({
        actorId: principal.userId,
        action: 'reauthentication.failed',
        targetType: 'session',
        targetId: principal.sessionId,
      });
      throw new ReauthenticationFailedError();
    }
    await this.db.rateLimits.reset(key, window.start);
  }
}
