import { type Algorithm, hash, verify } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';

/** `Algorithm.Argon2id`: the package declares its enum `const`, which isolated modules cannot read. */
const ARGON2ID: Algorithm.Argon2id = 2;

/**
 * argon2id with OWASP's recommended minimum (m = 19 MiB, t = 2, p = 1). The parameters travel in
 * each stored hash (PHC string), so raising them later keeps old hashes verifiable.
 */
export const ARGON2_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

/** False for a wrong password and for a stored value that is not an argon2 hash at all. */
export async function verifyPassword(storedHash: string, password: string): Promise<boolean> {
  try {
    return await verify(storedHash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * A hash of a random password nobody knows, with the same parameters as real ones. Sign-in verifies
 * against it when there is no user or no password, so those answers take as long as a wrong password
 * and response times do not tell which usernames exist.
 */
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(32).toString('base64url'));
  return dummyHash;
}
