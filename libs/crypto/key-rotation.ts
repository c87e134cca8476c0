import { type DataKeyStore } from './data-key-store';
import { type KeyWrapper } from './key-wrapper';

/**
 * Re-wraps every data key that is not yet under the wrapper's active master key and returns how many
 * it re-wrapped. Data keys themselves do not change, so no ciphertext is rewritten and running
 * processes keep working throughout. Safe to re-run after an interruption: finished keys are skipped.
 * Once it returns, the retired master keys can be removed from the ring.
 */
export async function rewrapAll(store: DataKeyStore, wrapper: KeyWrapper): Promise<number> {
  const stale = await store.listNotWrappedUnder(wrapper.activeKeyId);
  for (const record of stale) {
    const dataKey = await wrapper.unwrap(record.masterKeyId, record.wrappedKey);
    const { masterKeyId, wrappedKey } = await wrapper.wrap(dataKey);
    dataKey.fill(0);
    await store.rewrap(record.id, masterKeyId, wrappedKey);
  }
  return stale.length;
}
