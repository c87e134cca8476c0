import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export function sha256Hex(input: string | Uint8Array): string {
  return createHash('sha256').update(input).digest('hex');
}

/** A URL-safe random secret (invitation, session or download-link token). */
export function randomToken(bytes = 32): string {
  if (!Number.isInteger(bytes) || bytes < 16) {
    throw new RangeError('a token needs at least 16 random bytes to be unguessable');
  }
  return randomBytes(bytes).toString('base64url');
}

/** Tokens are stored only as this hash, so a leaked table grants no sessions or invitations. */
export function hashToken(token: string): string {
  return sha256Hex(token);
}

/**
 * Compares secrets in time independent of where they differ. Both sides are hashed first because
 * `timingSafeEqual` needs equal lengths, and an early length check would leak the secret's length.
 */
export function constantTimeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}
