import { randomBytes } from 'node:crypto';
import { type MasterKeyRing } from '../../libs/crypto/master-key-ring';

export function randomKey(): Buffer {
  return randomBytes(32);
}

export function ringOf(activeKeyId: string, keys: Record<string, Buffer>): MasterKeyRing {
  return { activeKeyId, keys: new Map(Object.entries(keys)) };
}
