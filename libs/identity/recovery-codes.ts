import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../crypto/hashing';

/** How many codes a set has; each works once. */
export const RECOVERY_CODE_COUNT = 10;

/** RFC 4648 base32 without padding: no 0/1/8/9, so a code read aloud or copied by hand survives. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const CODE_CHARACTERS = 16;

/**
 * Fresh recovery codes, shown to their owner once: 16 base32 characters (80 random bits) in groups of
 * four, e.g. `QW3E-RT5Y-UI2O-PA7S`. That much entropy makes an unsalted SHA-256 a safe way to store them.
 */
export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    const bytes = randomBytes(CODE_CHARACTERS);
    const characters = [...bytes].map((byte) => ALPHABET[byte & 31]);
    return [0, 4, 8, 12].map((start) => characters.slice(start, start + 4).join('')).join('-');
  });
}

/**
 * The code as stored: upper case, without the dashes and spaces people type between groups; undefined
 * for anything that cannot be a code, so nothing else is ever hashed and looked up.
 */
export function canonicalRecoveryCode(input: string): string | undefined {
  const code = [...input.toUpperCase()]
    .filter((character) => character !== '-' && character !== ' ')
    .join('');
  if (code.length !== CODE_CHARACTERS || ![...code].every((character) => ALPHABET.includes(character))) {
    return undefined;
  }
  return code;
}

export function hashRecoveryCode(canonicalCode: string): string {
  return sha256Hex(`homeroom-recovery-code:${canonicalCode}`);
}
