import { createHmac, randomBytes } from 'node:crypto';
import { constantTimeEqual } from '../crypto/hashing';

/**
 * Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP), as authenticator apps compute them.
 * Codes are 6 digits over 30-second steps with HMAC-SHA1 — the parameters every authenticator app
 * supports; 8 digits and the SHA-2 variants exist for the RFC's test vectors and future use.
 */

export type TotpAlgorithm = 'sha1' | 'sha256' | 'sha512';

export interface TotpParameters {
  digits: 6 | 8;
  periodSeconds: number;
  algorithm: TotpAlgorithm;
}

export const DEFAULT_TOTP: TotpParameters = { digits: 6, periodSeconds: 30, algorithm: 'sha1' };

/** 160 bits, the HMAC-SHA1 block-output size RFC 4226 recommends for shared secrets. */
export const TOTP_SECRET_BYTES = 20;

/** Steps accepted on either side of the current one, for clock drift and typing time (RFC 6238 §5.2). */
export const TOTP_DRIFT_STEPS = 1;

export function newTotpSecret(): Buffer {
  return randomBytes(TOTP_SECRET_BYTES);
}

/** The RFC 6238 time step `T = floor(unixSeconds / period)` of a moment. */
export function totpStep(timeMs: number, periodSeconds = DEFAULT_TOTP.periodSeconds): number {
  return Math.floor(timeMs / 1000 / periodSeconds);
}

/** RFC 4226 HOTP: HMAC of the 8-byte big-endian counter, dynamic truncation, modulo 10^digits. */
export function hotp(
  secret: Uint8Array,
  counter: number,
  digits: 6 | 8 = 6,
  algorithm: TotpAlgorithm = 'sha1',
): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, secret).update(message).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits;
  return binary.toString().padStart(digits, '0');
}

export function totpAt(
  secret: Uint8Array,
  timeMs: number,
  parameters: TotpParameters = DEFAULT_TOTP,
): string {
  return hotp(secret, totpStep(timeMs, parameters.periodSeconds), parameters.digits, parameters.algorithm);
}

/**
 * The latest time step within the drift window whose code is `code`, or null when none matches.
 * Callers refuse a step they have already accepted (replay protection), so they need the step, not a
 * yes/no. Every candidate is compared, in constant time, whatever matched before it.
 */
export function matchTotpStep(
  secret: Uint8Array,
  code: string,
  timeMs: number,
  parameters: TotpParameters = DEFAULT_TOTP,
): number | null {
  if (code.length !== parameters.digits || !/^\d+$/.test(code)) return null;
  const current = totpStep(timeMs, parameters.periodSeconds);
  let matched: number | null = null;
  for (let step = current - TOTP_DRIFT_STEPS; step <= current + TOTP_DRIFT_STEPS; step++) {
    if (constantTimeEqual(hotp(secret, step, parameters.digits, parameters.algorithm), code)) matched = step;
  }
  return matched;
}

/**
 * The enrolment URL authenticator apps read from a QR code (Google Authenticator's Key Uri Format):
 * `otpauth://totp/<issuer>:<account>?secret=<base32>&issuer=<issuer>&algorithm=SHA1&digits=6&period=30`.
 */
export function otpauthUrl(secret: Uint8Array, issuer: string, account: string): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const query = [
    `secret=${base32Encode(secret)}`,
    `issuer=${encodeURIComponent(issuer)}`,
    `algorithm=${DEFAULT_TOTP.algorithm.toUpperCase()}`,
    `digits=${DEFAULT_TOTP.digits}`,
    `period=${DEFAULT_TOTP.periodSeconds}`,
  ].join('&');
  return `otpauth://totp/${label}?${query}`;
}

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding, the form otpauth URLs carry. */
export function base32Encode(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32_ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** Inverse of {@link base32Encode}; tolerates lower case and padding, refuses anything else. */
export function base32Decode(text: string): Buffer {
  const clean = text.toUpperCase().replace(/=+$/, '');
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of clean) {
    const index = BASE32_ALPHABET.indexOf(char);
    if (index < 0) throw new RangeError('not a base32 string');
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}
