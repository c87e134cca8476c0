import { Inject, Injectable } from '@nestjs/common';
import { type ApiConfig } from '../../../../libs/config/config';
import { Database } from '../../../../libs/db/database';
import {
  accountThrottleKey,
  addressAccountThrottleKey,
  addressThrottleKey,
  deviceThrottleKey,
  type FixedWindow,
  fixedWindow,
  retryAfterSeconds,
} from '../../../../libs/identity/login-throttle';
import { API_CONFIG } from '../common/tokens';

/** The upper bound of LOGIN_RATE_WINDOW_SECONDS. */
const MAX_RATE_WINDOW_SECONDS = 24 * 3600;

/** `account`: the account's attempts from clients without its device token; `device`: one device's. */
export type ThrottleScope = 'account' | 'device' | 'address';

export interface ThrottleRefusal {
  retryAfterSeconds: number;
  /** Each scope over its limit, and whether this is its first refusal in the window (audited once). */
  scopes: { scope: ThrottleScope; limit: number; firstInWindow: boolean }[];
}

export interface LoginAttemptInput {
  /** Canonical (see canonical-identifiers.ts), so that every spelling of an account shares its counters. */
  districtId: string;
  username: string;
  address: string;
  /** The nonce of a valid device token of this very account, if the client sent one. */
  deviceNonce?: string;
}

export interface LoginAttempt {
  refusal?: ThrottleRefusal;
  /** Call after a successful sign-in: clears the bucket it was counted in, and forgives the address. */
  succeeded(): Promise<void>;
}

/**
 * Sign-in limits in fixed windows kept in PostgreSQL, so every API instance shares them.
 *
 * Per account, after OWASP's device cookies: attempts that carry a valid device token of the account
 * are counted per token, all other attempts on the account share one "untrusted" counter. Someone who
 * knows a teacher's username can exhaust the untrusted counter and lock out new browsers, but not the
 * teacher's own, which keep their own counters (and a stolen token buys only that token's attempts).
 *
 * Per address (IPv6: per /64): failed attempts, except that the attempts an address made on an account
 * are forgiven when that account then signs in from it. A school behind one NAT, where pupils mistype
 * and then get it right, costs the address nothing; guessing across many accounts (spraying) is counted
 * in full, because the guesser cannot sign in to the accounts it guesses at.
 *
 * Every attempt is counted before the password is looked at (one atomic upsert for all its keys), so
 * concurrent guesses cannot overtake a limit and a refused attempt costs no argon2 work. Refused
 * attempts keep counting, but the window still ends on time (Retry-After says when).
 */
@Injectable()
export class LoginRateLimiter {
  private prunedThrough = 0;

  constructor(
    private readonly db: Database,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async begin(input: LoginAttemptInput, now: Date): Promise<LoginAttempt> {
    const window = fixedWindow(now.getTime(), this.config.LOGIN_RATE_WINDOW_SECONDS);
    const bucket = input.deviceNonce
      ? { scope: 'device' as const, key: deviceThrottleKey(input.deviceNonce) }
      : { scope: 'account' as const, key: accountThrottleKey(input.districtId, input.username) };
    const addressKey = addressThrottleKey(input.address);
    const pairKey = addressAccountThrottleKey(input.address, input.districtId, input.username);
    const counts = await this.db.rateLimits.hit([bucket.key, addressKey, pairKey], window.start);
    await this.pruneOldWindows(window);

    const checks = [
      {
        scope: bucket.scope,
        count: counts.get(bucket.key) ?? 0,
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
        await this.db.rateLimits.reset(bucket.key, window.start);
        await this.db.rateLimits.moveOff(pairKey, addressKey, window.start);
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
