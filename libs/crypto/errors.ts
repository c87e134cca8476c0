/**
 * Errors raised by the crypto library. Messages name key ids and configuration variables, never key
 * material or plaintext, so they are safe to log.
 */

/** A key setting is missing or malformed; `variable` names the environment variable to fix. */
export class KeyConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = 'KeyConfigError';
  }
}

/** Ciphertext names a key this process does not hold (e.g. a master key removed from the ring too early). */
export class UnknownKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnknownKeyError';
  }
}

/** Authentication failed: the data was altered, truncated, bound to another row, or the key is wrong. */
export class DecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecryptionError';
  }
}
