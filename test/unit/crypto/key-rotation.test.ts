import { FieldCipher } from '../../../libs/crypto/envelope';
import { UnknownKeyError } from '../../../libs/crypto/errors';
import { rewrapAll } from '../../../libs/crypto/key-rotation';
import { LocalKeyWrapper } from '../../../libs/crypto/key-wrapper';
import { InMemoryDataKeyStore } from './in-memory-data-key-store';
import { randomKey, ringOf } from '../../support/keys';

describe('rewrapAll', () => {
  const oldMaster = randomKey();
  const newMaster = randomKey();
  const beforeRotation = ringOf('mk-old', { 'mk-old': oldMaster });
  const duringRotation = ringOf('mk-new', { 'mk-old': oldMaster, 'mk-new': newMaster });
  const afterRotation = ringOf('mk-new', { 'mk-new': newMaster });
  const districts = ['district-a', 'district-b', 'district-c'];

  async function seed(store: InMemoryDataKeyStore) {
    const cipher = new FieldCipher(store, new LocalKeyWrapper(beforeRotation));
    return Promise.all(
      districts.map(async (district) => ({
        district,
        ...(await cipher.encrypt(district, `body of ${district}`, `message:${district}`)),
      })),
    );
  }

  it('when the active master key changes, then every data key is re-wrapped under it and old ciphertexts still decrypt', async () => {
    const store = new InMemoryDataKeyStore();
    const written = await seed(store);
    const wrappedBefore = new Map(
      [...store.records].map(([id, record]) => [id, Buffer.from(record.wrappedKey)]),
    );

    const count = await rewrapAll(store, new LocalKeyWrapper(duringRotation));

    expect(count).toBe(districts.length);
    for (const record of store.records.values()) {
      expect(record.masterKeyId).toBe('mk-new');
      expect(Buffer.from(record.wrappedKey)).not.toEqual(wrappedBefore.get(record.id));
    }
    const reader = new FieldCipher(store, new LocalKeyWrapper(duringRotation));
    for (const { district, ciphertext, dataKeyId } of written) {
      expect(await reader.decrypt(dataKeyId, ciphertext, `message:${district}`)).toBe(`body of ${district}`);
    }
  });

  it('when the old master key is removed after rotation, then everything still decrypts; removed before, nothing does', async () => {
    const store = new InMemoryDataKeyStore();
    const [first, ...rest] = await seed(store);
    if (!first) throw new Error('seed wrote nothing');
    const tooEarly = new FieldCipher(store, new LocalKeyWrapper(afterRotation));
    await expect(
      tooEarly.decrypt(first.dataKeyId, first.ciphertext, `message:${first.district}`),
    ).rejects.toThrow(UnknownKeyError);

    await rewrapAll(store, new LocalKeyWrapper(duringRotation));

    const reader = new FieldCipher(store, new LocalKeyWrapper(afterRotation));
    for (const { district, ciphertext, dataKeyId } of [first, ...rest]) {
      expect(await reader.decrypt(dataKeyId, ciphertext, `message:${district}`)).toBe(`body of ${district}`);
    }
  });

  it('when run again, then it has nothing left to re-wrap', async () => {
    const store = new InMemoryDataKeyStore();
    await seed(store);
    const wrapper = new LocalKeyWrapper(duringRotation);

    expect(await rewrapAll(store, wrapper)).toBe(districts.length);
    expect(await rewrapAll(store, wrapper)).toBe(0);
  });

  it('when a rotation is interrupted, then re-running finishes the remaining keys only', async () => {
    const store = new InMemoryDataKeyStore();
    const written = await seed(store);
    const wrapper = new LocalKeyWrapper(duringRotation);
    const realRewrap = store.rewrap.bind(store);
    let rewraps = 0;
    store.rewrap = async (...args) => {
      rewraps += 1;
      if (rewraps === 2) throw new Error('connection lost');
      return realRewrap(...args);
    };

    await expect(rewrapAll(store, wrapper)).rejects.toThrow('connection lost');
    store.rewrap = realRewrap;
    expect(await rewrapAll(store, wrapper)).toBe(districts.length - 1);

    const reader = new FieldCipher(store, new LocalKeyWrapper(afterRotation));
    for (const { district, ciphertext, dataKeyId } of written) {
      expect(await reader.decrypt(dataKeyId, ciphertext, `message:${district}`)).toBe(`body of ${district}`);
    }
  });

  it('when a process keeps running through a rotation, then it keeps working and new districts get keys under the new master key', async () => {
    const store = new InMemoryDataKeyStore();
    const [first] = await seed(store);
    if (!first) throw new Error('seed wrote nothing');
    const longRunning = new FieldCipher(store, new LocalKeyWrapper(duringRotation));
    await longRunning.decrypt(first.dataKeyId, first.ciphertext, `message:${first.district}`);

    await rewrapAll(store, new LocalKeyWrapper(duringRotation));
    const fresh = await longRunning.encrypt('district-new', 'hello', 'message:new');

    expect(await longRunning.decrypt(first.dataKeyId, first.ciphertext, `message:${first.district}`)).toBe(
      `body of ${first.district}`,
    );
    expect(store.records.get(fresh.dataKeyId)?.masterKeyId).toBe('mk-new');
  });
});
