import { randomBytes } from 'node:crypto';
import { Readable, type Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import fc from 'fast-check';
import { BLOB_CHUNK_BYTES, createDecryptStream, createEncryptStream } from '../../../libs/crypto/blob-stream';
import { DecryptionError } from '../../../libs/crypto/errors';
import { sha256Hex } from '../../../libs/crypto/hashing';
import { randomKey } from '../../support/keys';

const KEY_ID = '5f0c3a52-8d1e-4c7a-9a43-2f4d6e8b1c09';
const AAD = 'attachment:5b1d7c0e-0d7e-4f7e-8f6a-1a2b3c4d5e6f';
const HEADER_BYTES = 4 + 1 + 1 + KEY_ID.length + 12;
const RECORD_BYTES = BLOB_CHUNK_BYTES + 16;
const MiB = 1024 * 1024;

function pieces(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) out.push(bytes.subarray(offset, offset + size));
  return out;
}

/** Jest's deep equality walks buffers element by element; comparing digests keeps megabyte checks fast. */
function expectSameBytes(actual: Buffer, expected: Buffer): void {
  expect(actual.length).toBe(expected.length);
  expect(sha256Hex(actual)).toBe(sha256Hex(expected));
}

async function run(transform: Transform, input: Buffer, writeSize = 64 * 1024): Promise<Buffer> {
  const output: Buffer[] = [];
  await pipeline(
    Readable.from(pieces(input, writeSize)),
    transform,
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        output.push(chunk);
        callback();
      },
    }),
  );
  return Buffer.concat(output);
}

describe('encrypted blob streams', () => {
  const key = randomKey();
  const resolveKey = async (dataKeyId: string) => {
    if (dataKeyId !== KEY_ID) throw new Error(`unexpected data key ${dataKeyId}`);
    return key;
  };
  const encrypt = (plaintext: Buffer, writeSize?: number) =>
    run(createEncryptStream(key, KEY_ID, AAD), plaintext, writeSize);
  const decrypt = (ciphertext: Buffer, readSize?: number, aad = AAD) =>
    run(createDecryptStream(resolveKey, aad), ciphertext, readSize);

  it.each([
    ['an empty', 0],
    ['a one-byte', 1],
    ['a one-byte-short-of-a-chunk', BLOB_CHUNK_BYTES - 1],
    ['an exactly-one-chunk', BLOB_CHUNK_BYTES],
    ['a one-chunk-and-a-byte', BLOB_CHUNK_BYTES + 1],
    ['a 5 MiB', 5 * MiB],
    ['a 5 MiB and 12,345 bytes', 5 * MiB + 12_345],
  ])(
    'when %s file round-trips, then it comes back byte for byte with one tag per 64 KiB plus a final record',
    async (_case, size) => {
      const plaintext = randomBytes(size);

      const ciphertext = await encrypt(plaintext, 100_000);

      const records = Math.floor(size / BLOB_CHUNK_BYTES) + 1;
      expect(ciphertext).toHaveLength(HEADER_BYTES + size + records * 16);
      expect(ciphertext.subarray(0, 4).toString()).toBe('HRB1');
      expectSameBytes(await decrypt(ciphertext, 70_001), plaintext);
    },
  );

  it('when the ciphertext arrives one byte at a time, then the header and final record are still parsed', async () => {
    const plaintext = randomBytes(200);
    expectSameBytes(await decrypt(await encrypt(plaintext, 3), 1), plaintext);
  });

  it('when the ciphertext arrives in small pieces across record boundaries, then every record is parsed', async () => {
    const plaintext = randomBytes(2 * BLOB_CHUNK_BYTES + 100);
    expectSameBytes(await decrypt(await encrypt(plaintext, 13), 7), plaintext);
  });

  it('when any write and read sizes are used, then the round trip is exact', async () => {
    const pieceSize = (total: number, count: number) => Math.max(1, Math.ceil(total / count));
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 3 * BLOB_CHUNK_BYTES + 10 }),
        fc.integer({ min: 1, max: 1_000 }),
        fc.integer({ min: 1, max: 1_000 }),
        async (size, writes, reads) => {
          const plaintext = randomBytes(size);
          const ciphertext = await encrypt(plaintext, pieceSize(size, writes));
          expectSameBytes(await decrypt(ciphertext, pieceSize(ciphertext.length, reads)), plaintext);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('when the plaintext repeats a marker, then no copy of it appears in the ciphertext', async () => {
    const marker = 'ATTACHMENT-PLAINTEXT-MARKER';
    const plaintext = Buffer.from(marker.repeat(10_000));

    const ciphertext = await encrypt(plaintext);

    expect(ciphertext.includes(marker)).toBe(false);
    expect(ciphertext.includes(marker.slice(0, 12))).toBe(false);
  });

  it('when the same file is encrypted twice, then the ciphertexts differ', async () => {
    const plaintext = randomBytes(1000);
    expect((await encrypt(plaintext)).equals(await encrypt(plaintext))).toBe(false);
  });

  it('when data is written, then encrypted records are emitted before the input ends (no whole-file buffering)', async () => {
    const encryptor = createEncryptStream(key, KEY_ID, AAD);
    let emitted = 0;
    encryptor.on('data', (chunk: Buffer) => (emitted += chunk.length));

    encryptor.write(randomBytes(3 * BLOB_CHUNK_BYTES + 5));
    await nextTurn();

    expect(emitted).toBe(HEADER_BYTES + 3 * RECORD_BYTES);
    encryptor.destroy();
  });

  it('when ciphertext is written, then authenticated plaintext is released before the input ends', async () => {
    const plaintext = randomBytes(3 * BLOB_CHUNK_BYTES + 5);
    const ciphertext = await encrypt(plaintext);
    const decryptor = createDecryptStream(resolveKey, AAD);
    const released: Buffer[] = [];
    decryptor.on('data', (chunk: Buffer) => released.push(chunk));

    decryptor.write(ciphertext.subarray(0, HEADER_BYTES + 2 * RECORD_BYTES + 10));
    await nextTurn();

    expectSameBytes(Buffer.concat(released), plaintext.subarray(0, 2 * BLOB_CHUNK_BYTES));
    decryptor.destroy();
  });

  describe('when the stored blob is damaged', () => {
    let plaintext: Buffer;
    let ciphertext: Buffer;

    beforeAll(async () => {
      plaintext = randomBytes(2 * BLOB_CHUNK_BYTES + 1_000);
      ciphertext = await encrypt(plaintext);
    });

    const record = (index: number) =>
      ciphertext.subarray(HEADER_BYTES + index * RECORD_BYTES, HEADER_BYTES + (index + 1) * RECORD_BYTES);

    it('when it is intact, then it decrypts (control for the cases below)', async () => {
      expectSameBytes(await decrypt(ciphertext), plaintext);
    });

    it.each([
      ['the last byte is cut', () => ciphertext.subarray(0, ciphertext.length - 1)],
      [
        'the final record is cut at a record boundary',
        () => ciphertext.subarray(0, HEADER_BYTES + 2 * RECORD_BYTES),
      ],
      ['all records are cut', () => ciphertext.subarray(0, HEADER_BYTES)],
      ['the header is cut', () => ciphertext.subarray(0, HEADER_BYTES - 1)],
      ['nothing is left', () => Buffer.alloc(0)],
    ])('when %s, then decryption fails as truncated or unauthentic', async (_case, damage) => {
      await expect(decrypt(damage())).rejects.toThrow(DecryptionError);
    });

    it('when a full blob is cut after whole records only, then the error says the final record is missing', async () => {
      const exact = await encrypt(randomBytes(2 * BLOB_CHUNK_BYTES));
      await expect(decrypt(exact.subarray(0, exact.length - 16))).rejects.toThrow(/final record missing/);
    });

    it('when two records are swapped, then decryption fails', async () => {
      const swapped = Buffer.concat([
        ciphertext.subarray(0, HEADER_BYTES),
        record(1),
        record(0),
        ciphertext.subarray(HEADER_BYTES + 2 * RECORD_BYTES),
      ]);
      await expect(decrypt(swapped)).rejects.toThrow(DecryptionError);
    });

    it('when a record is duplicated in place of another, then decryption fails', async () => {
      const replayed = Buffer.concat([
        ciphertext.subarray(0, HEADER_BYTES),
        record(0),
        record(0),
        ciphertext.subarray(HEADER_BYTES + 2 * RECORD_BYTES),
      ]);
      await expect(decrypt(replayed)).rejects.toThrow(DecryptionError);
    });

    it('when bytes are appended after the final record, then decryption fails', async () => {
      await expect(decrypt(Buffer.concat([ciphertext, randomBytes(16)]))).rejects.toThrow(DecryptionError);
    });

    it.each([
      ['the base IV in the header', HEADER_BYTES - 3],
      ['the first record body', HEADER_BYTES + 10],
      ['the first record tag', HEADER_BYTES + RECORD_BYTES - 1],
      ['the final record body', HEADER_BYTES + 2 * RECORD_BYTES + 3],
      ['the final record tag', -1],
    ])('when a bit is flipped in %s, then decryption fails', async (_case, offset) => {
      const flipped = Buffer.from(ciphertext);
      const position = offset < 0 ? flipped.length + offset : offset;
      flipped[position] = (flipped[position] as number) ^ 0x04;

      await expect(decrypt(flipped)).rejects.toThrow(DecryptionError);
    });

    it('when it is read for another attachment (wrong aad), then decryption fails', async () => {
      await expect(decrypt(ciphertext, undefined, 'attachment:someone-else')).rejects.toThrow(
        DecryptionError,
      );
    });

    it('when the key resolved is not the one it was written with, then decryption fails', async () => {
      await expect(
        run(
          createDecryptStream(async () => randomKey(), AAD),
          ciphertext,
        ),
      ).rejects.toThrow(DecryptionError);
    });

    it('when the key cannot be resolved, then the resolver error ends the stream', async () => {
      const unknown = async (id: string): Promise<Buffer> => {
        throw new Error(`data key "${id}" does not exist`);
      };
      await expect(run(createDecryptStream(unknown, AAD), ciphertext)).rejects.toThrow(KEY_ID);
    });

    it('when it is not an HRB1 blob at all, then decryption fails at once', async () => {
      await expect(decrypt(plaintext)).rejects.toThrow(/not an encrypted blob/);
    });

    it('when it declares an unknown format version, then decryption fails', async () => {
      const future = Buffer.from(ciphertext);
      future[4] = 2;
      await expect(decrypt(future)).rejects.toThrow(/version 2/);
    });
  });

  it('when given a short key, an empty data key id or an empty aad, then it refuses to start', () => {
    expect(() => createEncryptStream(key.subarray(0, 16), KEY_ID, AAD)).toThrow(/32 bytes/);
    expect(() => createEncryptStream(key, '', AAD)).toThrow(RangeError);
    expect(() => createEncryptStream(key, KEY_ID, '')).toThrow(RangeError);
    expect(() => createDecryptStream(resolveKey, '')).toThrow(RangeError);
  });
});
