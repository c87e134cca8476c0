import { DecryptionError, UnknownKeyError } from '../../../libs/crypto/errors';
import { LocalKeyWrapper } from '../../../libs/crypto/key-wrapper';
import { randomKey, ringOf } from '../../support/keys';

describe('LocalKeyWrapper', () => {
  const oldMaster = randomKey();
  const newMaster = randomKey();
  const wrapper = new LocalKeyWrapper(ringOf('mk-new', { 'mk-old': oldMaster, 'mk-new': newMaster }));

  it('when a data key is wrapped, then it is wrapped under the active master key and unwraps to the same key', async () => {
    const dataKey = randomKey();

    const { masterKeyId, wrappedKey } = await wrapper.wrap(dataKey);

    expect(masterKeyId).toBe('mk-new');
    expect(wrappedKey.includes(dataKey)).toBe(false);
    expect(wrappedKey).toHaveLength(1 + 12 + 32 + 16);
    expect(await wrapper.unwrap(masterKeyId, wrappedKey)).toEqual(dataKey);
  });

  it('when a key was wrapped under a retired master key still in the ring, then it unwraps', async () => {
    const dataKey = randomKey();
    const { wrappedKey } = await new LocalKeyWrapper(ringOf('mk-old', { 'mk-old': oldMaster })).wrap(dataKey);

    expect(await wrapper.unwrap('mk-old', wrappedKey)).toEqual(dataKey);
  });

  it('when the master key id is not in the ring, then unwrap fails naming it', async () => {
    const { wrappedKey } = await wrapper.wrap(randomKey());

    await expect(wrapper.unwrap('mk-gone', wrappedKey)).rejects.toThrow(UnknownKeyError);
    await expect(wrapper.unwrap('mk-gone', wrappedKey)).rejects.toThrow(/"mk-gone" is not in MASTER_KEYS/);
  });

  it('when a wrapped key is relabelled with another master key id or altered, then unwrap fails', async () => {
    const { wrappedKey } = await wrapper.wrap(randomKey());
    const altered = Buffer.from(wrappedKey);
    altered[20] ^= 0x80;

    await expect(wrapper.unwrap('mk-old', wrappedKey)).rejects.toThrow(DecryptionError);
    await expect(wrapper.unwrap('mk-new', altered)).rejects.toThrow(DecryptionError);
  });

  it('when asked to wrap something that is not a 32-byte key, then it refuses', async () => {
    await expect(wrapper.wrap(Buffer.alloc(16))).rejects.toThrow(/32 bytes/);
  });

  it('when the ring lacks its active key, then construction fails', () => {
    expect(() => new LocalKeyWrapper(ringOf('missing', { 'mk-old': oldMaster }))).toThrow(/"missing"/);
  });
});
