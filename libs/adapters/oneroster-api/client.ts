import { type OneRosterCollection, OneRosterResponseError, pageRows } from './records';

/** Where and how to reach one district's OneRoster 1.1 REST provider. */
export interface OneRosterEndpoint {
  /** Whose endpoint this is (the district id): tokens are never shared between tenants. */
  tenant: string;
  /** The service root, e.g. `https://sis.example.org/ims/oneroster/v1p1`. */
  baseUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
}

export interface OneRosterClientOptions {
  /** Records asked for per page (`limit`); a page holding more is refused. */
  pageSize: number;
  /** Per HTTP request. */
  timeoutMs: number;
  /** The largest response body read, in bytes. */
  maxResponseBytes: number;
  /** Tokens shared between calls (the worker keeps one cache); keyed by tenant, token URL and client id. */
  tokens: OneRosterTokenCache;
  now?: () => number;
}

/**
 * The provider could not answer now (5xx, 429, a network error, a timeout): worth trying again.
 * `retryAfterMs` is the provider's own Retry-After, when it gave one.
 */
export class OneRosterUnavailableError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = 'OneRosterUnavailableError';
  }
}

/** The provider refused us (credentials, permissions, a bad request) or answered nonsense: retrying will not help. */
export class OneRosterRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OneRosterRefusedError';
  }
}

interface CachedToken {
  accessToken: string;
  expiresAt: number;
}

/** Access tokens until shortly before they expire; one entry per tenant, token URL and client. */
export class OneRosterTokenCache {
  private readonly tokens = new Map<string, CachedToken>();

  get(key: string, now: number): string | null {
    const token = this.tokens.get(key);
    return token && token.expiresAt > now ? token.accessToken : null;
  }

  set(key: string, token: CachedToken): void {
    this.tokens.set(key, token);
  }

  forget(key: string, accessToken: string): void {
    if (this.tokens.get(key)?.accessToken === accessToken) this.tokens.delete(key);
  }
}

export interface OneRosterPage {
  rows: string[][];
  /** The next page's URL (same origin and collection as this one), or null after the last page. */
  next: string | null;
}

/** Tokens are renewed this long before their stated expiry, so none expires in flight. */
const TOKEN_EXPIRY_MARGIN_MS = 30_000;
/** A Retry-After beyond this is capped: a provider must not park an import for hours. */
const MAX_RETRY_AFTER_MS = 10 * 60_000;

/**
 * A OneRoster 1.1 REST client: OAuth 2.0 client credentials (HTTP Basic at the token URL), one page per
 * call. It never retries by itself except for one token refresh after a 401: the caller (a Temporal
 * activity) owns the one retry policy, and errors say whether trying again can help. It follows no
 * redirect and builds no URL from response content except a `next` link on the same origin and path.
 */
export class OneRosterClient {
  private readonly base: URL;
  private readonly tokenKey: string;
  private readonly now: () => number;

  constructor(
    private readonly endpoint: OneRosterEndpoint,
    private readonly options: OneRosterClientOptions,
  ) {
    this.base = new URL(endpoint.baseUrl.endsWith('/') ? endpoint.baseUrl : `${endpoint.baseUrl}/`);
    this.tokenKey = JSON.stringify([endpoint.tenant, endpoint.tokenUrl, endpoint.clientId]);
    this.now = options.now ?? Date.now;
  }

  /** The first page's URL of a collection. */
  firstPageUrl(collection: OneRosterCollection): string {
    const url = new URL(collection, this.base);
    url.searchParams.set('limit', String(this.options.pageSize));
    url.searchParams.set('offset', '0');
    return url.toString();
  }

  /** One page: `cursor` is null for the first, else the `next` of the previous page. */
  async page(collection: OneRosterCollection, cursor: string | null): Promise<OneRosterPage> {
    const url =
      cursor === null ? new URL(this.firstPageUrl(collection)) : this.checkedPageUrl(collection, cursor);
    const response = await this.authorisedGet(url);
    const body = await this.readJson(response, collection);
    let rows: string[][];
    try {
      rows = pageRows(collection, body, this.options.pageSize);
    } catch (error) {
      if (error instanceof OneRosterResponseError) throw new OneRosterRefusedError(error.message);
      throw error;
    }
    return { rows, next: this.nextPage(collection, url, response, rows.length) };
  }

  private async authorisedGet(url: URL): Promise<Response> {
    let token = await this.accessToken();
    let response = await this.send(url, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
    });
    if (response.status === 401) {
      // The token expired or was revoked early: one fresh token, once.
      await response.body?.cancel();
      this.options.tokens.forget(this.tokenKey, token);
      token = await this.accessToken();
      response = await this.send(url, {
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      });
      if (response.status === 401) {
        await response.body?.cancel();
        this.options.tokens.forget(this.tokenKey, token);
        throw new OneRosterRefusedError(`${url.pathname} refused a fresh access token (401)`);
      }
    }
    await this.refuseUnlessOk(response, url.pathname);
    return response;
  }

  private async accessToken(): Promise<string> {
    const cached = this.options.tokens.get(this.tokenKey, this.now());
    if (cached) return cached;
    const basic = Buffer.from(
      `${encodeURIComponent(this.endpoint.clientId)}:${encodeURIComponent(this.endpoint.clientSecret)}`,
    ).toString('base64');
    const tokenUrl = new URL(this.endpoint.tokenUrl);
    const response = await this.send(tokenUrl, {
      method: 'POST',
      headers: {
        authorization: `Basic ${basic}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: 'grant_type=client_credentials',
    });
    if (response.status === 400 || response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      throw new OneRosterRefusedError(
        `the token endpoint refused the client credentials (${response.status})`,
      );
    }
    await this.refuseUnlessOk(response, tokenUrl.pathname);
    const body = await this.readJson(response, 'token');
    const accessToken = (body as { access_token?: unknown }).access_token;
    const expiresIn = (body as { expires_in?: unknown }).expires_in;
    if (typeof accessToken !== 'string' || accessToken.length === 0 || accessToken.length > 8_192) {
      throw new OneRosterRefusedError('the token endpoint answered without an access_token');
    }
    // RFC 6749 makes expires_in optional: without it the token is used for this call and the next few.
    const lifetimeMs =
      typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0
        ? expiresIn * 1000
        : 60_000;
    this.options.tokens.set(this.tokenKey, {
      accessToken,
      expiresAt: this.now() + Math.max(0, lifetimeMs - TOKEN_EXPIRY_MARGIN_MS),
    });
    return accessToken;
  }

  private async send(url: URL, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, {
        ...init,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      const reason = error instanceof Error ? error.name : 'error';
      throw new OneRosterUnavailableError(`${url.pathname} could not be reached (${reason})`);
    }
  }

  private async refuseUnlessOk(response: Response, path: string): Promise<void> {
    if (response.ok) return;
    await response.body?.cancel();
    if (response.status === 429) {
      throw new OneRosterUnavailableError(
        `${path} is rate limited (429)`,
        retryAfterMs(response.headers.get('retry-after'), this.now()),
      );
    }
    if (response.status >= 500) {
      throw new OneRosterUnavailableError(
        `${path} answered ${response.status}`,
        retryAfterMs(response.headers.get('retry-after'), this.now()),
      );
    }
    // Redirects are not followed: a provider that moved must be configured with its new address.
    throw new OneRosterRefusedError(`${path} answered ${response.status}`);
  }

  private async readJson(response: Response, what: string): Promise<unknown> {
    const type = response.headers.get('content-type') ?? '';
    if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) {
      await response.body?.cancel();
      throw new OneRosterRefusedError(
        `the ${what} response is not JSON (${type.slice(0, 80) || 'no content type'})`,
      );
    }
    const declared = Number(response.headers.get('content-length') ?? '0');
    if (declared > this.options.maxResponseBytes) {
      await response.body?.cancel();
      throw new OneRosterRefusedError(
        `the ${what} response is larger than ${this.options.maxResponseBytes} bytes`,
      );
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    try {
      for await (const chunk of response.body ?? []) {
        total += chunk.byteLength;
        if (total > this.options.maxResponseBytes) {
          await response.body?.cancel();
          throw new OneRosterRefusedError(
            `the ${what} response is larger than ${this.options.maxResponseBytes} bytes`,
          );
        }
        chunks.push(chunk);
      }
    } catch (error) {
      if (error instanceof OneRosterRefusedError) throw error;
      throw new OneRosterUnavailableError(
        `the ${what} response was cut off (${error instanceof Error ? error.name : 'error'})`,
      );
    }
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    } catch {
      throw new OneRosterRefusedError(`the ${what} response is not valid JSON`);
    }
  }

  /**
   * The next page from the `Link` header's rel="next" when the provider sends one (it must stay on this
   * origin and collection), else from `X-Total-Count`, else "a full page means there may be more".
   */
  private nextPage(
    collection: OneRosterCollection,
    current: URL,
    response: Response,
    count: number,
  ): string | null {
    if (count === 0) return null;
    const link = nextLink(response.headers.get('link'));
    if (link !== null) return this.checkedPageUrl(collection, new URL(link, current).toString()).toString();
    const offset = Number(current.searchParams.get('offset') ?? '0') + count;
    const total = response.headers.get('x-total-count');
    if (total !== null) {
      const totalCount = Number(total);
      if (!Number.isSafeInteger(totalCount) || totalCount < 0) {
        throw new OneRosterRefusedError(`the ${collection} response has an invalid X-Total-Count`);
      }
      if (offset >= totalCount) return null;
    } else if (count < this.options.pageSize) {
      return null;
    }
    const next = new URL(this.firstPageUrl(collection));
    next.searchParams.set('offset', String(offset));
    return next.toString();
  }

  /** A page URL is only ever this provider's collection path; its limit is ours, whatever it says. */
  private checkedPageUrl(collection: OneRosterCollection, candidate: string): URL {
    let url: URL;
    try {
      url = new URL(candidate);
    } catch {
      throw new OneRosterRefusedError(`the next link of ${collection} is not a URL`);
    }
    const expected = new URL(collection, this.base);
    if (
      url.origin !== expected.origin ||
      url.pathname !== expected.pathname ||
      url.username ||
      url.password
    ) {
      throw new OneRosterRefusedError(
        `the next link of ${collection} leaves ${expected.origin}${expected.pathname}`,
      );
    }
    url.hash = '';
    url.searchParams.set('limit', String(this.options.pageSize));
    return url;
  }
}

/** The target of rel="next" in an RFC 8288 Link header, or null. */
export function nextLink(header: string | null): string | null {
  if (!header || header.length > 8_192) return null;
  for (const part of header.split(',')) {
    const match = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (!match) continue;
    const rels = /(?:^|;)\s*rel\s*=\s*"?([^";]*)"?/i.exec(match[2]!);
    if (rels && rels[1]!.toLowerCase().split(/\s+/).includes('next')) return match[1]!;
  }
  return null;
}

/** Retry-After as seconds or an HTTP date, capped; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | null {
  if (header === null) return null;
  const trimmed = header.trim();
  let delay: number;
  if (/^\d{1,9}$/.test(trimmed)) delay = Number(trimmed) * 1000;
  else {
    const date = Date.parse(trimmed);
    if (Number.isNaN(date)) return null;
    delay = Math.max(0, date - now);
  }
  return Math.min(delay, MAX_RETRY_AFTER_MS);
}
