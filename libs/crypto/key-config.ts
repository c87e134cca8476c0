import { KEY_BYTES } from './aes-gcm';
import { KeyConfigError } from './errors';

const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64_PATTERN = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Decodes a base64 AES-256 key. Strict on purpose: Node's base64 decoder skips junk characters, so a
 * mangled secret could otherwise decode to a different, weaker key without anyone noticing.
 */
export function decodeKey(variable: string, value: string | undefined, label = 'the key'): Buffer {
  const trimmed = value?.trim() ?? '';
  if (trimmed === '') {
    throw new KeyConfigError(variable, `${label} is required`);
  }
  const decoded = Buffer.from(trimmed, 'base64');
  const canonical = decoded.toString('base64').replace(/=+$/, '');
  if (!BASE64_PATTERN.test(trimmed) || canonical !== trimmed.replace(/=+$/, '')) {
    throw new KeyConfigError(variable, `${label} is not valid base64`);
  }
  if (decoded.length !== KEY_BYTES) {
    throw new KeyConfigError(
      variable,
      `${label} must decode to exactly ${KEY_BYTES} bytes, got ${decoded.length} (generate one with: openssl rand -base64 32)`,
    );
  }
  return decoded;
}

export function validateKeyId(variable: string, keyId: string | undefined): string {
  const trimmed = keyId?.trim() ?? '';
  if (!KEY_ID_PATTERN.test(trimmed)) {
    throw new KeyConfigError(
      variable,
      trimmed === ''
        ? 'a key id is required'
        : `key id "${trimmed}" must be 1-64 characters of A-Z a-z 0-9 . _ -`,
    );
  }
  return trimmed;
}

/** Parses `id1:base64,id2:base64` into an ordered map, rejecting duplicate ids and malformed keys. */
export function parseKeyList(variable: string, value: string | undefined): Map<string, Buffer> {
  const keys = new Map<string, Buffer>();
  const entries = (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const [index, entry] of entries.entries()) {
    const separator = entry.indexOf(':');
    if (separator <= 0) {
      throw new KeyConfigError(variable, `entry ${index + 1} must look like id:base64key`);
    }
    const keyId = validateKeyId(variable, entry.slice(0, separator));
    if (keys.has(keyId)) {
      throw new KeyConfigError(variable, `key id "${keyId}" appears more than once`);
    }
    keys.set(keyId, decodeKey(variable, entry.slice(separator + 1), `key "${keyId}"`));
  }
  return keys;
}
