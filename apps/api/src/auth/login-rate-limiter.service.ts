import { Inject, Injectable } from '@nestjs/common';
import { type ApiConfig } from '../../../../libs/config/config';
import { Database } from '../../../../libs/db/database';
import {
  accountThrottleKey,
  addressThrottleKey,
  type FixedWindow,
  fixedWindow,
  retryAfterSeconds,
} from '../../../../libs/identity/login-throttle';
import { API_CONFIG } from '../common/tokens';

/** The upper bound of LOGIN_RATE_WINDOW_SECONDS. */
const MAX_RATE_WINDOW_SECONDS = 24 * 3600;

export type ThrottleScope = 'account' | 'address';

export interface ThrottleRefusal {
  retryAfterSeconds: number;
  /** Each scope over its limit, and whether this is its first refusal in the window (audited once). */
  scopes: { scope: ThrottleScope; limit: number; firstInWindow: boolean }[];
}

export interface LoginAttempt {
  refusal?: ThrottleRefusal;
  /** Call after a successful sign-in: it does not count against the address, and clears the account. */
  succeeded(): Promise<void>;
}

/**
 * Sign-in limits per account (district + username) and per client address, in fixed windows kept in
 * PostgreSQL so every API instance shares them.
 *
 * Every attempt is counted before the password is looked at (one atomic upsert per key), so concurrent
 * guesses cannot overtake the limit and a refused attempt costs no argon2 work. A successful sign-in
 * then takes its own hit back from the address and resets the account's counter: in effect only
 * failures count, and someone who mistyped four times is not locked out after signing in. Refused
 * attempts keep counting, but the window still ends on time (Retry-After says when).
 */
@Injectable()
export class LoginRateLimiter {
  private prunedThrough = 0;

  constructor(
    private readonly db: Database,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async begin(districtId: string, username: string, address: string, now: Date): Promise<LoginAttempt> {
    const window = fixedWindow(now.getTime(), this.config.LOGIN_RATE_WINDOW_SECONDS);
    const accountKey = accountThrottleKey(districtId, username);
    const addressKey = addressThrottleKey(address);
    const counts = await this.db.rateLimits.hit([accountKey, addressKey], window.start);
    await this.pruneOldWindows(window);

    const checks = [
      {
        scope: 'account' as const,
        count: counts.get(accountKey) ?? 0,
        limit: this.config.LOGIN_MAX_ATTEMPTS_PER_ACCOUNT,
      },
      {
        scope: 'address' as const,
        count: counts.get(addressKey) ?? 0,
        limit: this.config.LOGIN_MAX_ATTEMPTS_PER_ADDRESS,
      },
    ];
    const over = checks.filter((check) => check.count > check.limit);
    return {
      refusal: over.length
        ? {
            retryAfterSeconds: retryAfterSeconds(window, now.getTime()),
            scopes: over.map(({ scope, count, limit }) => ({
              scope,
              limit,
              firstInWindow: count === limit + 1,
            })),
          }
        : undefined,
      succeeded: async () => {
        await this.db.rateLimits.reset(accountKey, window.start);
        await this.db.rateLimits.refund(addressKey, window.start);
      },
    };
  }

  /**
   * Once per window and process, drops counters older than the longest window allowed: instances with
   * different window settings (a rolling configuration change) never delete each other's live counts.
   */
  private async pruneOldWindows(window: FixedWindow): Promise<void> {
    const start = window.start.getTime();
    if (start <= this.prunedThrough) return;
    this.prunedThrough = start;
    await this.db.rateLimits.pruneBefore(new Date(start - MAX_RATE_WINDOW_SECONDS * 1000));
  }
}
