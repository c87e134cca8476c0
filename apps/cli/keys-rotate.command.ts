import { ConfigError } from '../../libs/config/config';
import { KeyConfigError } from '../../libs/crypto/errors';
import { rewrapAll } from '../../libs/crypto/key-rotation';
import { type KeyWrapper } from '../../libs/crypto/key-wrapper';
import { type Command } from './command';

/**
 * `homeroom keys rotate`: re-wraps every data key under ACTIVE_MASTER_KEY_ID. Ciphertexts are not
 * touched (their data keys do not change), so the API and worker keep serving throughout, and an
 * interrupted run is finished by running it again. Procedure: add the new key to MASTER_KEYS and make
 * it ACTIVE_MASTER_KEY_ID everywhere, run this, then retire the old key from MASTER_KEYS.
 */
export const keysRotate: Command = async ({ db, env, services }) => {
  let wrapper: KeyWrapper;
  try {
    wrapper = services.keyWrapper(env);
  } catch (error) {
    if (error instanceof KeyConfigError) throw new ConfigError([error.message]);
    throw error;
  }
  const reencrypted = await rewrapAll(db.dataKeys, wrapper);
  return { activeKeyId: wrapper.activeKeyId, reencrypted };
};
