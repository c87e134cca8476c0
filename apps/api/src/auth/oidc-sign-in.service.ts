import { Inject, Injectable } from '@nestjs/common';
import { type ApiConfig } from '../../../../libs/config/config';
import { constantTimeEqual, hashToken, randomToken } from '../../../../libs/crypto/hashing';
import { Database, type TenantRepositories } from '../../../../libs/db/database';
import { type OidcProviderSettings } from '../../../../libs/db/repositories/oidc.repository';
import {
  AccountSuspendedError,
  NotFoundError,
  UnauthenticatedError,
  UnavailableError,
  ValidationFailedError,
} from '../../../../libs/domain/errors/domain-errors';
import { isAdminRole } from '../../../../libs/identity/admin-roles';
import {
  type OidcClient,
  type OidcClientSettings,
  OidcRejection,
} from '../../../../libs/adapters/oidc/oidc-client';
import { urlProblem } from '../../../../libs/identity/oidc-settings';
import { type Logger } from '../../../../libs/logging/logger';
import { API_CONFIG, LOGGER } from '../common/tokens';
import { SessionIssuer } from './session-issuer';

export const OIDC_CLIENT = Symbol('OIDC_CLIENT');

/** What the browser is sent back to the app with when a sign-in fails (`?error=`); never personal data. */
export type OidcSignInError =
  | 'sign_in_expired'
  | 'sign_in_not_bound'
  | 'sign_in_unavailable'
  | 'idp_refused'
  | 'idp_unavailable'
  | 'id_token_rejected'
  | 'claim_missing'
  | 'email_not_verified'
  | 'user_not_found'
  | 'ambiguous_user'
  | 'account_inactive'
  | 'account_suspended'
  | 'admin_not_allowed';

/** State values are openid-client's randomState(): 43 base64url characters. */
const STATE = /^[A-Za-z0-9_-]{20,200}$/;
const CLAIM_VALUE_MAX = 320;
/** Rows stay long enough for a replayed callback or code to be recognised, then go. */
const KEEP_AFTER_EXPIRY_MS = 3600 * 1000;

export interface OidcStart {
  location: string;
  /** The random value for the browser's cookie; its hash is stored with the sign-in. */
  browserBinding: string;
  maxAgeSeconds: number;
}

/**
 * School sign-in (OpenID Connect authorization code flow with PKCE, state and nonce). An id token only
 * ever names an existing, active, unsuspended roster user of the district that started the flow; no
 * account is created. Admins are refused: they keep password and TOTP. The session itself is opened
 * by the exchange of a one-time code, exactly as password sign-in opens it.
 */
@Injectable()
export class OidcSignInService {
  constructor(
    private readonly db: Database,
    private readonly sessions: SessionIssuer,
    @Inject(OIDC_CLIENT) private readonly client: OidcClient,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async start(districtId: string, redirectUri: string, now: Date): Promise<OidcStart> {
    const tenant = this.db.forDistrict(districtId);
    const settings = await tenant.oidcProvider.find();
    if (!settings) throw new NotFoundError('School sign-in for the district');
    // Exact comparison with what the district registered: the only places a sign-in may end up.
    if (!settings.redirectUris.includes(redirectUri)) {
      throw new ValidationFailedError('redirectUri is not one the district registered.', [
        { field: 'redirectUri', message: 'must be one of the redirect URIs the district registered' },
      ]);
    }
    const request = await this.client
      .authorizationRequest(this.clientSettings(districtId, settings))
      .catch((error: unknown) => {
        this.logger.warn({ districtId, err: error }, 'oidc: identity provider unreachable');
        throw new UnavailableError('The school sign-in service cannot be reached. Try again shortly.');
      });
    const browserBinding = randomToken(32);
    const ttl = this.config.OIDC_LOGIN_TTL_SECONDS;
    await tenant.oidcSignIns.deleteExpiredBefore(new Date(now.getTime() - KEEP_AFTER_EXPIRY_MS));
    await tenant.oidcSignIns.create({
      stateHash: hashToken(request.state),
      browserBindingHash: hashToken(browserBinding),
      nonce: request.nonce,
      codeVerifier: request.codeVerifier,
      redirectUri,
      expiresAt: new Date(now.getTime() + ttl * 1000),
    });
    return { location: request.url.href, browserBinding, maxAgeSeconds: ttl };
  }

  /**
   * Where to send the browser after the identity provider's redirect: the app's redirectUri with a
   * one-time code, or with `error`. A state that names no sign-in (missing, tampered) has no trusted
   * destination and is a 400 without a redirect.
   */
  async callback(query: URLSearchParams, browserBinding: string | undefined, now: Date): Promise<string> {
    const state = query.get('state');
    if (!state || !STATE.test(state)) throw invalidState();
    const signIn = await this.db.oidcSignInTokens.claimCallback(hashToken(state), now);
    if (!signIn) throw invalidState();
    const tenant = this.db.forDistrict(signIn.districtId);
    const fail = async (error: OidcSignInError, details: Record<string, unknown> = {}, userId?: string) => {
      await tenant.audit.append({
        actorId: userId ?? null,
        action: 'login.failed',
        targetType: userId ? 'user' : null,
        targetId: userId ?? null,
        details: { method: 'oidc', reason: error, ...details },
      });
      return withParameter(signIn.redirectUri, 'error', error);
    };

    if (!signIn.claimed) return fail('sign_in_expired');
    if (!browserBinding || !constantTimeEqual(hashToken(browserBinding), signIn.browserBindingHash)) {
      return fail('sign_in_not_bound');
    }
    const settings = await tenant.oidcProvider.find();
    if (!settings) return fail('sign_in_unavailable');

    let claims: Record<string, unknown>;
    try {
      claims = await this.client.redeem(this.clientSettings(signIn.districtId, settings), query, {
        state,
        nonce: signIn.nonce,
        codeVerifier: signIn.codeVerifier,
      });
    } catch (error) {
      if (!(error instanceof OidcRejection)) throw error;
      const reason = error.reason === 'idp_error' ? 'idp_refused' : error.reason;
      return fail(reason, { check: error.check ?? null, claim: error.claim ?? null });
    }

    const value = claims[settings.claim];
    if (typeof value !== 'string' || value.trim() === '' || value.length > CLAIM_VALUE_MAX) {
      return fail('claim_missing', { claim: settings.claim });
    }
    if (settings.userField === 'email' && claims.email_verified === false) return fail('email_not_verified');

    const match = await this.matchUser(tenant, settings, value.trim());
    if ('error' in match) return fail(match.error, {}, match.userId);
    const code = randomToken(32);
    await tenant.oidcSignIns.attachExchangeCode(
      signIn.id,
      match.userId,
      hashToken(code),
      new Date(now.getTime() + this.config.OIDC_EXCHANGE_CODE_TTL_SECONDS * 1000),
    );
    return withParameter(signIn.redirectUri, 'code', code);
  }

  /**
   * Uses up a one-time code and opens the session, as password sign-in does. The user is checked once
   * more: a suspension or deactivation since the callback still wins.
   */
  async exchange(code: string, userAgent: string | undefined, now: Date) {
    const claimed = await this.db.oidcSignInTokens.claimExchange(hashToken(code), now);
    if (!claimed) throw invalidCode();
    const user = await this.db.forDistrict(claimed.districtId).users.findCredentials(claimed.userId);
    if (!user || !user.active || isAdminRole(user.role)) throw invalidCode();
    if (user.suspendedAt) throw new AccountSuspendedError();
    return this.sessions.open(claimed.districtId, user.id, userAgent, { method: 'oidc' }, now);
  }

  private async matchUser(
    tenant: TenantRepositories,
    settings: OidcProviderSettings,
    value: string,
  ): Promise<{ userId: string } | { error: OidcSignInError; userId?: string }> {
    const candidates = await tenant.users.findBySignInField(settings.userField, value);
    const active = candidates.filter((candidate) => candidate.active);
    if (active.length > 1) return { error: 'ambiguous_user' };
    const [user] = active;
    if (!user) return { error: candidates.length > 0 ? 'account_inactive' : 'user_not_found' };
    if (user.suspendedAt) return { error: 'account_suspended', userId: user.id };
    if (isAdminRole(user.role)) return { error: 'admin_not_allowed', userId: user.id };
    return { userId: user.id };
  }

  /**
   * The secret comes from the environment variable the district names; a missing one, or an issuer
   * this environment may not use, is the operator's mistake: 503 and a log line, never a redirect.
   */
  private clientSettings(districtId: string, settings: OidcProviderSettings): OidcClientSettings {
    const clientSecret = this.config.OIDC_CLIENT_SECRETS[settings.clientSecretRef];
    const issuerProblem = urlProblem(settings.issuer, this.config.HOMEROOM_ENV, { allowQuery: false });
    if (!clientSecret || issuerProblem) {
      this.logger.error(
        { districtId, secretRef: settings.clientSecretRef, issuerProblem },
        'oidc: school sign-in is misconfigured (secret variable missing or issuer not allowed)',
      );
      throw new UnavailableError('School sign-in is not available for this district right now.');
    }
    return { issuer: settings.issuer, clientId: settings.clientId, clientSecret };
  }
}

function withParameter(base: string, name: string, value: string): string {
  const url = new URL(base);
  url.searchParams.set(name, value);
  return url.href;
}

function invalidState(): ValidationFailedError {
  return new ValidationFailedError('The sign-in state is missing or unknown. Start the sign-in again.', [
    { field: 'state', message: 'names no sign-in' },
  ]);
}

function invalidCode(): UnauthenticatedError {
  return new UnauthenticatedError('INVALID_SIGN_IN_CODE', 'The sign-in code is unknown, used or expired.');
}
