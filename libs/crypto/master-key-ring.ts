import { KeyConfigError } from './errors';
import { parseKeyList, validateKeyId } from './key-config';

/**
 * The master keys this process holds. Data keys are wrapped under `activeKeyId`; the others stay so
 * data keys wrapped before a rotation can still be unwrapped until `homeroom keys rotate` re-wraps them.
 */
export interface MasterKeyRing {
  readonly activeKeyId: string;
  readonly keys: ReadonlyMap<string, Buffer>;
}

export interface MasterKeyEnv {
  /** `id1:base64,id2:base64`, each key 32 bytes */
  MASTER_KEYS?: string;
  /** one of the ids in MASTER_KEYS */
  ACTIVE_MASTER_KEY_ID?: string;
}

/** Parses and validates the ring once at start-up; errors name the variable to fix. */
export function parseMasterKeyRing(env: MasterKeyEnv): MasterKeyRing {
  const keys = parseKeyList('MASTER_KEYS', env.MASTER_KEYS);
  if (keys.size === 0) {
    throw new KeyConfigError('MASTER_KEYS', 'is required (format id:base64key[,id:base64key])');
  }
  const activeKeyId = validateKeyId('ACTIVE_MASTER_KEY_ID', env.ACTIVE_MASTER_KEY_ID);
  if (!keys.has(activeKeyId)) {
    throw new KeyConfigError(
      'ACTIVE_MASTER_KEY_ID',
      `"${activeKeyId}" is not one of the key ids in MASTER_KEYS (${[...keys.keys()].join(', ')})`,
    );
  }
  return { activeKeyId, keys };
}
