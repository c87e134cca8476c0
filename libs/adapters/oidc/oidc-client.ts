import * as client from 'openid-client';
import { type HomeroomEnvironment } from '../../config/config';

/** How long discovered provider metadata is reused before it is fetched again. */
const DISCOVERY_CACHE_MS = 10 * 60 * 1000;
const HTTP_TIMEOUT_SECONDS = 10;
const SCOPE = 'openid email profile';
/** OAuth error codes are short snake_case words; anything else the provider sends is not repeated. */
const ERROR_CODE = /^[a-z_]{1,64}$/;

export interface OidcClientSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
}

export interface AuthorizationRequest {
  url: URL;
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** Why the identity provider's answer was refused, for the audit log: codes and claim names, no values. */
export class OidcRejection extends Error {
  constructor(
    readonly reason: 'idp_error' | 'id_token_rejected' | 'idp_unavailable',
    readonly check?: string,
    readonly claim?: string,
  ) {
    super(
      `identity provider answer refused: ${reason}${check ? ` (${check}${claim ? ` ${claim}` : ''})` : ''}`,
    );
    this.name = 'OidcRejection';
  }
}

/**
 * The authorization code flow with PKCE, state and nonce, through openid-client. Discovery results are
 * cached per issuer, client and secret; plain http is allowed only in the local and test environments
 * (the settings only admit loopback http there).
 */
export class OidcClient {
  private readonly configurations = new Map<
    string,
    { at: number; configuration: Promise<client.Configuration> }
  >();

  constructor(
    private readonly environment: HomeroomEnvironment,
    private readonly callbackUrl: string,
  ) {}

  async authorizationRequest(settings: OidcClientSettings): Promise<AuthorizationRequest> {
    const configuration = await this.configuration(settings);
    const codeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.callbackUrl,
      scope: SCOPE,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url, state, nonce, codeVerifier };
  }

  /**
   * Checks the callback's parameters, redeems the code with the verifier and returns the id token's
   * claims once signature, issuer, audience, expiry and nonce all check out; an OidcRejection otherwise.
   */
  async redeem(
    settings: OidcClientSettings,
    query: URLSearchParams,
    expected: { state: string; nonce: string; codeVerifier: string },
  ): Promise<Record<string, unknown>> {
    const configuration = await this.configuration(settings);
    // Built from the configured callback address, never the request's Host: it is the redirect_uri
    // the token request repeats.
    const currentUrl = new URL(this.callbackUrl);
    for (const [name, value] of query) currentUrl.searchParams.append(name, value);
    try {
      const tokens = await client.authorizationCodeGrant(configuration, currentUrl, {
        pkceCodeVerifier: expected.codeVerifier,
        expectedState: expected.state,
        expectedNonce: expected.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims) throw new OidcRejection('id_token_rejected', 'missing');
      return claims as Record<string, unknown>;
    } catch (error) {
      throw rejection(error);
    }
  }

  private configuration(settings: OidcClientSettings): Promise<client.Configuration> {
    const key = JSON.stringify([settings.issuer, settings.clientId, settings.clientSecret]);
    const cached = this.configurations.get(key);
    if (cached && Date.now() - cached.at < DISCOVERY_CACHE_MS) return cached.configuration;
    const configuration = this.discover(settings);
    this.configurations.set(key, { at: Date.now(), configuration });
    // A failed discovery is not remembered: the next sign-in tries again.
    configuration.catch(() => this.configurations.delete(key));
    return configuration;
  }

  private async discover(settings: OidcClientSettings): Promise<client.Configuration> {
    const issuer = new URL(settings.issuer);
    const insecure = issuer.protocol === 'http:' && this.environment !== 'production';
    try {
      const configuration = await client.discovery(issuer, settings.clientId, undefined, undefined, {
        timeout: HTTP_TIMEOUT_SECONDS,
        execute: insecure ? [client.allowInsecureRequests] : [],
      });
      const methods = configuration.serverMetadata().token_endpoint_auth_methods_supported;
      // client_secret_basic is the default when the provider lists none (RFC 8414).
      const auth =
        !methods || methods.includes('client_secret_basic')
          ? client.ClientSecretBasic(settings.clientSecret)
          : client.ClientSecretPost(settings.clientSecret);
      const withAuth = new client.Configuration(
        configuration.serverMetadata(),
        settings.clientId,
        settings.clientSecret,
        auth,
      );
      withAuth.timeout = HTTP_TIMEOUT_SECONDS;
      if (insecure) client.allowInsecureRequests(withAuth);
      return withAuth;
    } catch (error) {
      throw new OidcRejection('idp_unavailable', errorCode(error));
    }
  }
}

function rejection(error: unknown): OidcRejection {
  if (error instanceof OidcRejection) return error;
  // The provider said no (error= on the callback, or an error body from its token endpoint).
  if (error instanceof client.AuthorizationResponseError || error instanceof client.ResponseBodyError) {
    return new OidcRejection('idp_error', ERROR_CODE.test(error.error) ? error.error : 'other');
  }
  const code = errorCode(error);
  // fetch fails with a bare TypeError when the provider cannot be reached.
  if (code === undefined) return new OidcRejection('idp_unavailable');
  return new OidcRejection('id_token_rejected', code, failedClaim(error));
}

/** openid-client wraps oauth4webapi's error, whose cause names the claim that failed; a few levels deep. */
function failedClaim(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 3 && current && typeof current === 'object'; depth++) {
    const claim = (current as { claim?: unknown }).claim;
    if (typeof claim === 'string') return claim;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
