import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { FieldCipher } from '../../../libs/crypto/envelope';
import { DecryptionError } from '../../../libs/crypto/errors';
import { LocalKeyWrapper } from '../../../libs/crypto/key-wrapper';
import {
  BlobNotFoundError,
  LocalDirectoryBlobStore,
  readEncryptedBlob,
  writeEncryptedBlob,
} from '../../../libs/adapters/storage';
import { InMemoryDataKeyStore } from '../crypto/in-memory-data-key-store';
import { randomKey, ringOf } from '../crypto/keys';

function failingAfter(bytes: Buffer, error: Error): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(bytes);
      } else {
        this.destroy(error);
      }
    },
  });
}

function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('blob storage', () => {
  const root = () => mkdtempSync(join(tmpdir(), 'homeroom-blobs-'));
  const keys = () =>
    new FieldCipher(new InMemoryDataKeyStore(), new LocalKeyWrapper(ringOf('m1', { m1: randomKey() })));

  it('when a blob is put, then it reads back byte for byte from a file only its owner can read', async () => {
    const dir = root();
    const store = new LocalDirectoryBlobStore(dir);
    const bytes = randomBytes(300_000);
    const { bytes: stored } = await store.put('a/b/blob.bin', Readable.from([bytes]));
    expect(stored).toBe(bytes.length);
    const chunks: Buffer[] = [];
    for await (const chunk of await store.get('a/b/blob.bin')) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
    expect(statSync(join(dir, 'a/b/blob.bin')).mode & 0o777).toBe(0o600);
    expect(await store.exists('a/b/blob.bin')).toBe(true);
  });

  it('when the source fails half-way, then no blob and no temporary file remain', async () => {
    const dir = root();
    const store = new LocalDirectoryBlobStore(dir);
    await expect(
      store.put('x/blob.bin', failingAfter(randomBytes(1000), new Error('client went away'))),
    ).rejects.toThrow('client went away');
    expect(await store.exists('x/blob.bin')).toBe(false);
    expect(filesUnder(dir)).toEqual([]);
  });

  it('when the source fails while the file is being prepared, then put rejects with that error and nothing escapes unhandled', async () => {
    const dir = root();
    const store = new LocalDirectoryBlobStore(dir);
    const source = new Readable({ read() {} });
    // Fails in the same tick put starts, before it has created the directory or opened the file.
    const putting = store.put('deep/new/folder/blob.bin', source);
    source.destroy(new Error('not a zip'));
    await expect(putting).rejects.toThrow('not a zip');
    expect(filesUnder(dir)).toEqual([]);
  });

  it('when a blob is replaced, then readers see the old or the new blob, never a mix', async () => {
    const store = new LocalDirectoryBlobStore(root());
    await store.put('k.bin', Readable.from([Buffer.from('old')]));
    await store.put('k.bin', Readable.from([Buffer.from('new')]));
    const chunks: Buffer[] = [];
    for await (const chunk of await store.get('k.bin')) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('new');
  });

  it('when a key is missing or deleted, then get says so and delete stays harmless', async () => {
    const store = new LocalDirectoryBlobStore(root());
    await expect(store.get('missing.bin')).rejects.toBeInstanceOf(BlobNotFoundError);
    await store.put('gone.bin', Readable.from([Buffer.from('x')]));
    await store.delete('gone.bin');
    await store.delete('gone.bin');
    expect(await store.exists('gone.bin')).toBe(false);
  });

  it.each(['../escape', '/absolute', 'a//b', 'a/./b', 'a/..', 'x.tmp-1', ''])(
    'when the key is %j, then the store refuses it',
    async (key) => {
      const store = new LocalDirectoryBlobStore(root());
      await expect(store.put(key, Readable.from([Buffer.from('x')]))).rejects.toThrow(RangeError);
    },
  );

  it('when a blob is written encrypted, then the file holds no plaintext and it decrypts under its row only', async () => {
    const dir = root();
    const store = new LocalDirectoryBlobStore(dir);
    const cipher = keys();
    const districtId = randomUUID();
    const plaintext = Buffer.from('sourcedId,givenName\nstu-1,Zoë\n'.repeat(5_000));
    const target = { districtId, key: `roster-imports/${districtId}/one.hrb`, aad: 'roster-import:one' };
    const { dataKeyId } = await writeEncryptedBlob(store, cipher, target, Readable.from([plaintext]));
    expect(dataKeyId).toBe((await cipher.districtDataKey(districtId)).id);
    const onDisk = readFileSync(join(dir, target.key));
    expect(onDisk.subarray(0, 4).toString()).toBe('HRB1');
    expect(onDisk.includes(Buffer.from('stu-1'))).toBe(false);

    expect((await readEncryptedBlob(store, cipher, target)).equals(plaintext)).toBe(true);
    await expect(
      readEncryptedBlob(store, cipher, { ...target, aad: 'roster-import:two' }),
    ).rejects.toBeInstanceOf(DecryptionError);
  });

  it('when the plaintext fails before the data key is loaded, then the write rejects with that error and stores nothing', async () => {
    const dir = root();
    const store = new LocalDirectoryBlobStore(dir);
    const source = new Readable({ read() {} });
    const writing = writeEncryptedBlob(
      store,
      keys(),
      { districtId: randomUUID(), key: 'early.hrb', aad: 'x:1' },
      source,
    );
    source.destroy(new Error('over the limit'));
    await expect(writing).rejects.toThrow('over the limit');
    expect(filesUnder(dir)).toEqual([]);
  });

  it('when an encrypted blob is truncated on disk, then reading it fails instead of returning part of it', async () => {
    const dir = root();
    const store = new LocalDirectoryBlobStore(dir);
    const cipher = keys();
    const districtId = randomUUID();
    const target = { districtId, key: 'cut.hrb', aad: 'roster-import:cut' };
    await writeEncryptedBlob(store, cipher, target, Readable.from([randomBytes(200_000)]));
    const path = join(dir, 'cut.hrb');
    writeFileSync(path, readFileSync(path).subarray(0, 100_000));
    await expect(readEncryptedBlob(store, cipher, target)).rejects.toBeInstanceOf(DecryptionError);
  });
});
