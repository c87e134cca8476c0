import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptionError } from './errors';

export const KEY_BYTES = 32;
export const IV_BYTES = 12;
export const TAG_BYTES = 16;

/** First byte of every sealed value; a new layout gets a new version so old ciphertexts stay readable. */
const SEALED_FORMAT_VERSION = 1;

const HEADER_BYTES = 1 + IV_BYTES;

export function assertAes256Key(key: Uint8Array, what: string): void {
  if (key.length !== KEY_BYTES) {
    throw new RangeError(`${what} must be exactly ${KEY_BYTES} bytes, got ${key.length}`);
  }
}

/**
 * AES-256-GCM with a fresh random IV, in a self-describing layout:
 * `version (1) | IV (12) | ciphertext | tag (16)`. The AAD is authenticated but not stored.
 */
export function seal(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Buffer {
  const iv = randomBytes(IV_BYTES);
  const { ciphertext, tag } = encryptGcm(key, iv, plaintext, aad);
  return Buffer.concat([Buffer.of(SEALED_FORMAT_VERSION), iv, ciphertext, tag]);
}

/** Reverses {@link seal}; throws {@link DecryptionError} unless the value, key and AAD all match. */
export function open(key: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Buffer {
  if (sealed.length < HEADER_BYTES + TAG_BYTES) {
    throw new DecryptionError('ciphertext is too short to be sealed data');
  }
  if (sealed[0] !== SEALED_FORMAT_VERSION) {
    throw new DecryptionError(`unsupported ciphertext version ${sealed[0]}`);
  }
  const iv = sealed.subarray(1, HEADER_BYTES);
  const body = sealed.subarray(HEADER_BYTES, sealed.length - TAG_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  return decryptGcm(key, iv, body, tag, aad);
}

export function decryptGcm(
  key: Uint8Array,
  iv: Uint8Array,
  ciphertext: Uint8Array,
  tag: Uint8Array,
  aad: Uint8Array,
): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw new DecryptionError('authentication failed: wrong key, wrong context, or altered data');
  }
}

export function encryptGcm(
  key: Uint8Array,
  iv: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): { ciphertext: Buffer; tag: Buffer } {
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { ciphertext, tag: cipher.getAuthTag() };
}
