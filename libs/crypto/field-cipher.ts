import { type DataKeySource } from './data-key-store';
import { FieldCipher } from './envelope';
import { type KeyWrapper, LocalKeyWrapper } from './key-wrapper';
import { type MasterKeyEnv, parseMasterKeyRing } from './master-key-ring';

/**
 * The process's field cipher over the configured master keys (LocalKeyWrapper; a KMS wrapper slots in
 * the same way), loading and creating wrapped data keys through `store`, which the database layer
 * implements. Each composition root builds one, so every use in a process shares its key cache.
 */
export function createFieldCipher(store: DataKeySource, keys: MasterKeyEnv): FieldCipher {
  return new FieldCipher(store, createKeyWrapper(keys));
}

/** The wrapper of data keys under the configured master keys (the one place that picks its kind). */
export function createKeyWrapper(keys: MasterKeyEnv): KeyWrapper {
  return new LocalKeyWrapper(parseMasterKeyRing(keys));
}
