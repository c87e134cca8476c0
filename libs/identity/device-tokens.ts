import { randomBytes } from 'node:crypto';
import { type TokenSigner } from '../crypto/signed-tokens';

/**
 * Device tokens after OWASP's "Slow Down Online Guessing Attacks with Device Cookies": a browser or
 * app that signed in to an account before holds a signed token naming that account and a random
 * nonce; its sign-in attempts are counted per token, apart from the attempts of everybody else. The
 * token is integrity-protected, not secret (ids and a nonce only), and nothing is stored server-side:
 * the nonce is the counter's key, and the expiry travels in the signed payload.
 */
export interface DeviceToken {
  districtId: string;
  userId: string;
  nonce: string;
  expiresAt: Date;
}

interface Payload {
  d: string;
  u: string;
  n: string;
  /** Expiry, seconds since the epoch. */
  e: number;
}

export class DeviceTokens {
  constructor(
    private readonly signer: TokenSigner,
    private readonly ttlSeconds: number,
  ) {}

  issue(districtId: string, userId: string, now: Date): { token: string; expiresAt: Date } {
    const expiresAt = new Date(Math.floor(now.getTime() / 1000) * 1000 + this.ttlSeconds * 1000);
    const payload: Payload = {
      d: districtId,
      u: userId,
      n: randomBytes(16).toString('base64url'),
      e: expiresAt.getTime() / 1000,
    };
    return { token: this.signer.sign(JSON.stringify(payload)), expiresAt };
  }

  /** The token's content if this API signed it and it has not expired; undefined for anything else. */
  read(token: string, now: Date): DeviceToken | undefined {
    const text = this.signer.verify(token);
    if (text === undefined) return undefined;
    const payload = parsePayload(text);
    if (!payload || payload.e * 1000 <= now.getTime()) return undefined;
    return {
      districtId: payload.d,
      userId: payload.u,
      nonce: payload.n,
      expiresAt: new Date(payload.e * 1000),
    };
  }

  /** The token counts for this account only; for any other it is as good as none. */
  readFor(token: string | undefined, account: { districtId: string; userId: string }, now: Date) {
    if (token === undefined) return undefined;
    const device = this.read(token, now);
    return device && device.districtId === account.districtId && device.userId === account.userId
      ? device
      : undefined;
  }
}

function parsePayload(text: string): Payload | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { d, u, n, e } = value as Record<string, unknown>;
  if (typeof d !== 'string' || typeof u !== 'string' || typeof n !== 'string' || typeof e !== 'number')
    return undefined;
  return { d, u, n, e };
}
