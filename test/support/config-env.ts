import { randomBytes } from 'node:crypto';
import { ConfigError } from '../../libs/config/config';

/** Base64 of 32 fresh random bytes: a valid key for any of the key variables. */
export const randomKey = () => randomBytes(32).toString('base64');

/**
 * The smallest environment every API and worker configuration accepts (secrets freshly random), for
 * tests of configuration parsing that must not depend on the machine's environment.
 */
export function minimalValidEnv(): Record<string, string> {
  return {
    DATABASE_URL: 'postgresql://homeroom@127.0.0.1:54329/homeroom',
    PAYLOAD_CODEC_KEY: randomKey(),
    PAYLOAD_CODEC_KEY_ID: 'local-1',
    MASTER_KEYS: `m1:${randomKey()}`,
    ACTIVE_MASTER_KEY_ID: 'm1',
    API_SIGNING_KEY: randomKey(),
    STORAGE_DIR: '/tmp/homeroom-blobs',
  };
}

/** The problems a ConfigError names; fails the test when loading succeeds or fails otherwise. */
export function configProblems(load: () => unknown): string[] {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}
