import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * Tamper-evident tokens the API hands out and later reads back (page cursors, device tokens): a payload
 * and an HMAC-SHA256 over it, base64url, `<payload>.<mac>`. Each use has its own purpose, and so its
 * own key derived from API_SIGNING_KEY with HKDF: a cursor can never be replayed as a device token.
 * They are integrity-protected, not secret: put nothing in a payload that its holder may not see.
 */
export type SigningPurpose = 'cursor' | 'device-token';

export class TokenSigner {
  private readonly key: Buffer;

  constructor(rootKey: Uint8Array, purpose: SigningPurpose) {
    if (rootKey.length !== 32) throw new RangeError('the signing key must be exactly 32 bytes');
    this.key = Buffer.from(hkdfSync('sha256', rootKey, Buffer.alloc(0), `homeroom ${purpose} v1`, 32));
  }

  sign(payload: string): string {
    const body = Buffer.from(payload, 'utf8').toString('base64url');
    return `${body}.${this.mac(body).toString('base64url')}`;
  }

  /** The payload of a token this signer made, or undefined for anything else (edited, foreign, garbage). */
  verify(token: string): string | undefined {
    const dot = token.indexOf('.');
    if (dot <= 0 || dot !== token.lastIndexOf('.')) return undefined;
    const body = token.slice(0, dot);
    // Compared as text: base64url decoding ignores stray bits in the last character, so two spellings
    // of one mac would both pass a byte comparison.
    const given = Buffer.from(token.slice(dot + 1), 'utf8');
    const expected = Buffer.from(this.mac(body).toString('base64url'), 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return Buffer.from(body, 'base64url').toString('utf8');
  }

  private mac(body: string): Buffer {
    return createHmac('sha256', this.key).update(body).digest();
  }
}
