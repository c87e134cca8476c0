import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { SecurityAlerts } from '../../../../libs/alerts/security-alerts';
import { type ApiConfig } from '../../../../libs/config/config';
import { Database, type TenantRepositories } from '../../../../libs/db/database';
import {
  AccountSuspendedError,
  PasswordSignInDisabledError,
  RateLimitedError,
  UnauthenticatedError,
} from '../../../../libs/domain/errors/domain-errors';
import { isAdminRole } from '../../../../libs/identity/admin-roles';
import { DeviceTokens } from '../../../../libs/identity/device-tokens';
import { dummyPasswordHash, verifyPassword } from '../../../../libs/identity/passwords';
import { canonicalRecoveryCode, hashRecoveryCode } from '../../../../libs/identity/recovery-codes';
import { matchTotpStep } from '../../../../libs/identity/totp';
import { TotpSecretBox } from '../../../../libs/identity/totp-secrets';
import { type Principal } from '../common/request-context';
import { API_CONFIG } from '../common/tokens';
import { LoginRateLimiter, type ThrottleRefusal } from './login-rate-limiter.service';
import { SessionIssuer } from './session-issuer';

/** districtId and username canonical (see canonical-identifiers.ts): limits and lookups use them as given. */
export interface LoginInput {
  districtId: string;
  username: string;
  password: string;
  totp?: string;
  /** Instead of `totp`, when the authenticator is lost: one recovery code, used up. */
  recoveryCode?: string;
  /** From the body or the cookie; anything but a valid token of this account counts as none. */
  deviceToken?: string;
  /** As the client sent it, for the person's list of their sessions. */
  userAgent?: string;
}

export interface LoginResult {
  accessToken: string;
  expiresIn: number;
  deviceToken: string;
  deviceTokenExpiresAt: Date;
}

/** Why a sign-in failed, for the audit log only: the caller always hears INVALID_CREDENTIALS. */
export type LoginFailureReason =
  | 'unknown_user'
  | 'no_password'
  | 'bad_password'
  | 'inactive_user'
  | 'totp_required'
  | 'totp_not_enrolled'
  | 'bad_totp'
  | 'bad_recovery_code'
  | 'totp_replayed'
  | 'suspended'
  | 'password_signin_disabled';

type Credentials = NonNullable<Awaited<ReturnType<TenantRepositories['users']['findCredentialsByUsername']>>>;

/**
 * Sign-in and sign-out. Password sign-in with a TOTP second factor for admins (and anyone who enrolled one).
 *
 * Unknown user, wrong password, deactivated user and user without a password get the same status and
 * body, and cost the same argon2 verification (a dummy hash stands in), so neither the answer nor its
 * timing tells which usernames exist. TOTP_REQUIRED is only said after the password was right.
 */
@Injectable()
export class SignInService implements OnModuleInit {
  constructor(
    private readonly db: Database,
    private readonly throttle: LoginRateLimiter,
    private readonly totpSecrets: TotpSecretBox,
    private readonly deviceTokens: DeviceTokens,
    private readonly sessions: SessionIssuer,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  /** Computes the dummy hash at start-up, so the first unknown-user answer is not the slow one. */
  async onModuleInit(): Promise<void> {
    await dummyPasswordHash();
  }

  async login(input: LoginInput, clientAddress: string): Promise<LoginResult> {
    const now = new Date();
    const tenant = this.db.forDistrict(input.districtId);
    const [districtExists, user] = await Promise.all([
      this.db.districts.exists(input.districtId),
      tenant.users.findCredentialsByUsername(input.username),
    ]);
    // Only a token of this very account picks its own counter; without an account nothing can match.
    const device = user
      ? this.deviceTokens.readFor(input.deviceToken, { districtId: input.districtId, userId: user.id }, now)
      : undefined;
    const attempt = await this.throttle.begin(
      {
        districtId: input.districtId,
        username: input.username,
        address: clientAddress,
        deviceNonce: device?.nonce,
      },
      now,
    );
    if (attempt.refusal) {
      if (districtExists) await this.auditRefusal(tenant, attempt.refusal, user?.id ?? null);
      throw new RateLimitedError(attempt.refusal.retryAfterSeconds);
    }

    const passwordMatches = await verifyPassword(
      user?.passwordHash ?? (await dummyPasswordHash()),
      input.password,
    );
    if (!user || !user.passwordHash || !passwordMatches || !user.active) {
      if (districtExists)
        await this.auditFailure(tenant, user?.id ?? null, passwordFailure(user, passwordMatches));
      throw invalidCredentials();
    }

    // Said only to someone who knows the password, so it tells a guesser nothing.
    if (user.suspendedAt) {
      await this.auditFailure(tenant, user.id, 'suspended');
      throw new AccountSuspendedError();
    }
    const schoolSignIn = await tenant.oidcProvider.find();
    if (schoolSignIn?.passwordSignInDisabledRoles.includes(user.role)) {
      await this.auditFailure(tenant, user.id, 'password_signin_disabled');
      throw new PasswordSignInDisabledError();
    }
    const secondFactor = await this.checkSecondFactor(tenant, user, input, now);
    const session = await this.sessions.open(
      input.districtId,
      user.id,
      input.userAgent,
      { secondFactor },
      now,
      { newDevice: device === undefined },
    );
    await attempt.succeeded();
    // A fresh token (new nonce, new expiry) with every sign-in, as OWASP's device cookies prescribe.
    const issued = this.deviceTokens.issue(input.districtId, user.id, now);
    return {
      ...session,
      deviceToken: issued.token,
      deviceTokenExpiresAt: issued.expiresAt,
    };
  }

  /** The token stops working at once: the guard refuses revoked sessions. */
  async logout(principal: Principal): Promise<void> {
    await this.db.transaction(principal.districtId, async (tx) => {
      await tx.sessions.revoke(principal.sessionId, new Date());
      await tx.audit.append({
        actorId: principal.userId,
        action: 'logout',
        targetType: 'session',
        targetId: principal.sessionId,
      });
    });
  }

  /** Which second factor was checked, if any; throws when one is needed and missing or wrong. */
  private async checkSecondFactor(
    tenant: TenantRepositories,
    user: Credentials,
    input: Pick<LoginInput, 'totp' | 'recoveryCode'>,
    now: Date,
  ): Promise<false | 'totp' | 'recovery_code'> {
    if (!isAdminRole(user.role) && !user.totpEnabled) return false;
    const code = input.totp;
    if (!code && input.recoveryCode !== undefined) {
      await this.claimRecoveryCode(tenant, user, input.recoveryCode, now);
      return 'recovery_code';
    }
    if (!code) {
      await this.auditFailure(tenant, user.id, 'totp_required');
      throw new UnauthenticatedError(
        'TOTP_REQUIRED',
        'This account needs the current code of its authenticator app.',
      );
    }
    // An admin without an enabled secret cannot produce a valid code: fail closed until re-invited.
    if (!user.totpEnabled || !user.totpSecretCiphertext || !user.totpDataKeyId) {
      await this.auditFailure(tenant, user.id, 'totp_not_enrolled');
      throw invalidCredentials();
    }
    const secret = await this.totpSecrets.open(user.id, {
      ciphertext: user.totpSecretCiphertext,
      dataKeyId: user.totpDataKeyId,
    });
    const step = matchTotpStep(secret, code, now.getTime());
    secret.fill(0);
    if (step === null) {
      await this.auditFailure(tenant, user.id, 'bad_totp');
      throw invalidCredentials();
    }
    if (!(await tenant.users.claimTotpStep(user.id, step))) {
      await this.auditFailure(tenant, user.id, 'totp_replayed');
      throw invalidCredentials();
    }
    return 'totp';
  }

  /**
   * A recovery code works once (claimed atomically) and only for an account that has an authenticator;
   * its use raises an alert, since it is also what someone holding a stolen password and a stolen code
   * sheet would do.
   */
  private async claimRecoveryCode(tenant: TenantRepositories, user: Credentials, input: string, now: Date) {
    const code = canonicalRecoveryCode(input);
    if (
      !user.totpEnabled ||
      !code ||
      !(await tenant.recoveryCodes.claim(user.id, hashRecoveryCode(code), now))
    ) {
      await this.auditFailure(tenant, user.id, 'bad_recovery_code');
      throw invalidCredentials();
    }
    const remaining = await tenant.recoveryCodes.countUnused(user.id);
    await new SecurityAlerts(tenant).recoveryCodeUsed(user.id, { role: user.role, remaining });
  }

  private async auditFailure(tenant: TenantRepositories, userId: string | null, reason: LoginFailureReason) {
    await tenant.audit.append({
      actorId: userId,
      action: 'login.failed',
      targetType: userId ? 'user' : null,
      targetId: userId,
      details: { reason },
    });
  }

  /** Once per scope and window, so a flood of refused attempts cannot flood the audit log. */
  private async auditRefusal(tenant: TenantRepositories, refusal: ThrottleRefusal, userId: string | null) {
    for (const { scope, limit, firstInWindow } of refusal.scopes) {
      if (!firstInWindow) continue;
      await tenant.audit.append({
        actorId: null,
        action: 'login.rate_limited',
        targetType: scope !== 'address' && userId ? 'user' : null,
        targetId: scope !== 'address' ? userId : null,
        details: { scope, limit, windowSeconds: this.config.LOGIN_RATE_WINDOW_SECONDS },
      });
    }
  }
}

function passwordFailure(user: Credentials | null, passwordMatches: boolean): LoginFailureReason {
  if (!user) return 'unknown_user';
  if (!user.passwordHash) return 'no_password';
  return passwordMatches ? 'inactive_user' : 'bad_password';
}

function invalidCredentials(): UnauthenticatedError {
  return new UnauthenticatedError('INVALID_CREDENTIALS', 'The username or password is not correct.');
}
