import { assertAes256Key, open, seal } from './aes-gcm';
import { UnknownKeyError } from './errors';
import { type MasterKeyRing } from './master-key-ring';

/**
 * Wraps (encrypts) and unwraps per-district data keys under a master key that never leaves its holder.
 *
 * Implementations:
 * - {@link LocalKeyWrapper}: master keys from MASTER_KEYS / ACTIVE_MASTER_KEY_ID, for the local stack
 *   and self-hosters without a KMS.
 * - A KMS wrapper for production implements this same interface: `activeKeyId` is the KMS key ARN,
 *   `wrap` calls KMS `Encrypt` (KeyId = activeKeyId, a fixed EncryptionContext such as
 *   `{ purpose: 'homeroom-data-key' }`) and returns the CiphertextBlob, `unwrap` calls KMS `Decrypt`
 *   with the stored `masterKeyId` as KeyId and the same EncryptionContext. Rotation then means
 *   pointing `activeKeyId` at a new KMS key and running `homeroom keys rotate`; the old key must stay
 *   enabled until that finishes.
 */
export interface KeyWrapper {
  /** The master key new data keys are wrapped under. */
  readonly activeKeyId: string;
  wrap(dataKey: Buffer): Promise<{ masterKeyId: string; wrappedKey: Buffer }>;
  /** Throws {@link UnknownKeyError} when `masterKeyId` is not available to this wrapper. */
  unwrap(masterKeyId: string, wrappedKey: Uint8Array): Promise<Buffer>;
}

/** AES-256-GCM key wrapping under the configured master keys; wrapped keys are in the sealed layout. */
export class LocalKeyWrapper implements KeyWrapper {
  readonly activeKeyId: string;
  private readonly keys: ReadonlyMap<string, Buffer>;

  constructor(ring: MasterKeyRing) {
    for (const [keyId, key] of ring.keys) assertAes256Key(key, `master key "${keyId}"`);
    if (!ring.keys.has(ring.activeKeyId)) {
      throw new UnknownKeyError(`active master key "${ring.activeKeyId}" is not in the key ring`);
    }
    this.activeKeyId = ring.activeKeyId;
    this.keys = ring.keys;
  }

  async wrap(dataKey: Buffer): Promise<{ masterKeyId: string; wrappedKey: Buffer }> {
    assertAes256Key(dataKey, 'data key');
    const masterKeyId = this.activeKeyId;
    return { masterKeyId, wrappedKey: seal(this.masterKey(masterKeyId), dataKey, wrappingAad(masterKeyId)) };
  }

  async unwrap(masterKeyId: string, wrappedKey: Uint8Array): Promise<Buffer> {
    return open(this.masterKey(masterKeyId), wrappedKey, wrappingAad(masterKeyId));
  }

  private masterKey(masterKeyId: string): Buffer {
    const key = this.keys.get(masterKeyId);
    if (!key) {
      throw new UnknownKeyError(
        `master key "${masterKeyId}" is not in MASTER_KEYS; keep retired master keys configured until "homeroom keys rotate" has re-wrapped every data key`,
      );
    }
    return key;
  }
}

/** Binding the master key id means a wrapped key relabelled with another id fails instead of misbehaving. */
function wrappingAad(masterKeyId: string): Buffer {
  return Buffer.from(`homeroom:data-key:${masterKeyId}`);
}
