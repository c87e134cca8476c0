import { randomUUID } from 'node:crypto';
import { FieldCipher } from '../../../libs/crypto/envelope';
import { DecryptionError, UnknownKeyError } from '../../../libs/crypto/errors';
import { LocalKeyWrapper } from '../../../libs/crypto/key-wrapper';
import { CountingKeyWrapper } from './counting-key-wrapper';
import { InMemoryDataKeyStore } from './in-memory-data-key-store';
import { randomKey, ringOf } from '../../support/keys';

describe('FieldCipher', () => {
  const ring = ringOf('mk-1', { 'mk-1': randomKey() });
  let store: InMemoryDataKeyStore;
  let wrapper: CountingKeyWrapper;
  let cipher: FieldCipher;

  beforeEach(() => {
    store = new InMemoryDataKeyStore();
    wrapper = new CountingKeyWrapper(new LocalKeyWrapper(ring));
    cipher = new FieldCipher(store, wrapper);
  });

  it('when a body is encrypted and decrypted with the same row, then the text comes back, accents and emoji included', async () => {
    const body = 'Field trip Friday — permission slips due! Ça va? 🚌';
    const messageId = randomUUID();

    const { ciphertext, dataKeyId } = await cipher.encrypt('district-1', body, `message:${messageId}`);

    expect(await cipher.decrypt(dataKeyId, ciphertext, `message:${messageId}`)).toBe(body);
    expect(await cipher.encrypt('district-1', '', `message:${randomUUID()}`)).toEqual(
      expect.objectContaining({ dataKeyId }),
    );
  });

  it('when a body is encrypted, then the ciphertext is version 1 | IV | ciphertext | tag and holds no plaintext', async () => {
    const body = 'PLAINTEXT-MARKER-1234';

    const { ciphertext } = await cipher.encrypt('district-1', body, 'message:1');

    expect(ciphertext[0]).toBe(1);
    expect(ciphertext).toHaveLength(1 + 12 + Buffer.byteLength(body) + 16);
    expect(ciphertext.includes(body)).toBe(false);
    expect((await cipher.encrypt('district-1', body, 'message:1')).ciphertext).not.toEqual(ciphertext);
  });

  it('when a ciphertext is copied into another row, then decrypting it there fails', async () => {
    const { ciphertext, dataKeyId } = await cipher.encrypt('district-1', 'for Ana only', 'message:aaa');

    await expect(cipher.decrypt(dataKeyId, ciphertext, 'message:bbb')).rejects.toThrow(DecryptionError);
    await expect(cipher.decrypt(dataKeyId, ciphertext, 'translation:aaa')).rejects.toThrow(/translation:aaa/);
  });

  it('when any single byte of the ciphertext is altered, then decrypting fails', async () => {
    const { ciphertext, dataKeyId } = await cipher.encrypt('district-1', 'hello', 'message:1');

    for (let index = 0; index < ciphertext.length; index += 1) {
      const altered = Buffer.from(ciphertext);
      altered[index] ^= 0x01;
      await expect(cipher.decrypt(dataKeyId, altered, 'message:1')).rejects.toThrow(DecryptionError);
    }
    await expect(cipher.decrypt(dataKeyId, ciphertext.subarray(0, 20), 'message:1')).rejects.toThrow(
      DecryptionError,
    );
  });

  it('when districts differ, then each gets its own data key and one cannot read the other', async () => {
    const a = await cipher.encrypt('district-a', 'hello', 'message:1');
    const b = await cipher.encrypt('district-b', 'hello', 'message:1');

    expect(a.dataKeyId).not.toBe(b.dataKeyId);
    expect(store.records.size).toBe(2);
    await expect(cipher.decrypt(b.dataKeyId, a.ciphertext, 'message:1')).rejects.toThrow(DecryptionError);
  });

  it('when the data key id does not exist, then decrypting fails naming it', async () => {
    const { ciphertext } = await cipher.encrypt('district-1', 'hello', 'message:1');

    await expect(cipher.decrypt('no-such-key', ciphertext, 'message:1')).rejects.toThrow(UnknownKeyError);
    await expect(cipher.decrypt('no-such-key', ciphertext, 'message:1')).rejects.toThrow(/no-such-key/);
  });

  it('when the aad is empty, then it refuses to encrypt an unbound ciphertext', async () => {
    await expect(cipher.encrypt('district-1', 'hello', '')).rejects.toThrow(RangeError);
  });

  it('when the hot path runs many times, then the data key is wrapped once and never re-read or unwrapped', async () => {
    const first = await cipher.encrypt('district-1', 'warm-up', 'message:0');
    const readsAfterWarmUp = { ...store.calls };

    for (let index = 1; index <= 100; index += 1) {
      const { ciphertext, dataKeyId } = await cipher.encrypt(
        'district-1',
        `body ${index}`,
        `message:${index}`,
      );
      expect(dataKeyId).toBe(first.dataKeyId);
      expect(await cipher.decrypt(dataKeyId, ciphertext, `message:${index}`)).toBe(`body ${index}`);
    }

    expect(store.calls).toEqual(readsAfterWarmUp);
    expect(wrapper.wraps).toBe(1);
    expect(wrapper.unwraps).toBe(0);
  });

  it('when another process reads the district, then it unwraps the stored key once and reuses it', async () => {
    const written = await cipher.encrypt('district-1', 'hello', 'message:1');
    const otherWrapper = new CountingKeyWrapper(new LocalKeyWrapper(ring));
    const otherProcess = new FieldCipher(store, otherWrapper);

    const reads = await Promise.all(
      Array.from({ length: 10 }, () =>
        otherProcess.decrypt(written.dataKeyId, written.ciphertext, 'message:1'),
      ),
    );

    expect(reads).toEqual(Array(10).fill('hello'));
    expect(otherWrapper.unwraps).toBe(1);
    expect((await otherProcess.encrypt('district-1', 'reply', 'message:2')).dataKeyId).toBe(
      written.dataKeyId,
    );
  });

  it('when a cached key outlives its time to live, then it is unwrapped again from the store', async () => {
    let now = 0;
    const clockedCipher = new FieldCipher(store, wrapper, { cacheTtlMs: 1_000, now: () => now });
    const { ciphertext, dataKeyId } = await clockedCipher.encrypt('district-1', 'hello', 'message:1');

    now = 999;
    await clockedCipher.decrypt(dataKeyId, ciphertext, 'message:1');
    expect(wrapper.unwraps).toBe(0);

    now = 1_000;
    expect(await clockedCipher.decrypt(dataKeyId, ciphertext, 'message:1')).toBe('hello');
    expect(wrapper.unwraps).toBe(1);
  });

  it('when more districts are active than the cache holds, then the least recently used key is dropped', async () => {
    const smallCipher = new FieldCipher(store, wrapper, { cacheMaxEntries: 2 });
    const a = await smallCipher.encrypt('district-a', 'a', 'message:a');
    await smallCipher.encrypt('district-b', 'b', 'message:b');
    await smallCipher.encrypt('district-c', 'c', 'message:c');

    expect(await smallCipher.decrypt(a.dataKeyId, a.ciphertext, 'message:a')).toBe('a');
    expect(wrapper.unwraps).toBe(1);
  });

  it.each(['reject', 'keep-first-active'] as const)(
    'when many requests in several processes encrypt for a new district at once (store duplicates: %s), then all use one data key',
    async (duplicates) => {
      const racingStore = new InMemoryDataKeyStore(duplicates);
      const processes = Array.from(
        { length: 4 },
        () => new FieldCipher(racingStore, new LocalKeyWrapper(ring)),
      );

      const results = await Promise.all(
        Array.from({ length: 40 }, (_, index) =>
          (processes[index % processes.length] as FieldCipher).encrypt(
            'district-new',
            `body ${index}`,
            `message:${index}`,
          ),
        ),
      );

      // Each process made one attempt shared by its requests, all raced, and the store named one winner.
      expect(racingStore.calls.create).toBe(processes.length);
      const winner = await racingStore.findActive('district-new');
      expect(new Set(results.map((result) => result.dataKeyId))).toEqual(new Set([winner?.id]));
      const reader = new FieldCipher(racingStore, new LocalKeyWrapper(ring));
      for (const [index, result] of results.entries()) {
        expect(await reader.decrypt(result.dataKeyId, result.ciphertext, `message:${index}`)).toBe(
          `body ${index}`,
        );
      }
    },
  );

  it('when the store fails to create a key for another reason, then the error surfaces', async () => {
    const failingStore = new InMemoryDataKeyStore();
    failingStore.create = async () => {
      throw new Error('database unavailable');
    };

    await expect(
      new FieldCipher(failingStore, wrapper).encrypt('district-1', 'x', 'message:1'),
    ).rejects.toThrow('database unavailable');
  });
});
