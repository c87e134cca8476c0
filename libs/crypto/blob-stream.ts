import { randomBytes } from 'node:crypto';
import { Transform } from 'node:stream';
import { IV_BYTES, TAG_BYTES, assertAes256Key, decryptGcm, encryptGcm } from './aes-gcm';
import { ByteQueue } from './byte-queue';
import { DecryptionError } from './errors';

/*
 * Encrypted blob layout ("HRB1"), for attachments that must never be buffered whole:
 *
 *   header:  'HRB1' | version (1 byte) | data key id length (1 byte) | data key id (UTF-8) | base IV (12)
 *   records: AES-256-GCM ciphertext | tag (16), one per 64 KiB of plaintext
 *
 * Every record but the last holds exactly BLOB_CHUNK_BYTES of plaintext; the last holds fewer (possibly
 * none), so a blob always ends with exactly one short final record and the reader can tell records
 * apart without lengths on the wire. A stream cut anywhere therefore lacks its final record or ends in
 * a damaged one. Record i uses the base IV with i XORed into its last 8 bytes, so records cannot be
 * reordered or replayed. Each record's AAD is `header | final flag (1 byte) | caller's AAD`: the header
 * cannot be edited, a blob cannot be moved to another row, and finality is bound by the tag as well as
 * by the framing.
 */

export const BLOB_MAGIC = 'HRB1';
export const BLOB_FORMAT_VERSION = 1;
export const BLOB_CHUNK_BYTES = 64 * 1024;

const RECORD_BYTES = BLOB_CHUNK_BYTES + TAG_BYTES;
const MAGIC_BYTES = Buffer.from(BLOB_MAGIC, 'ascii');
const FIXED_HEADER_BYTES = MAGIC_BYTES.length + 2;
const MAX_KEY_ID_BYTES = 255;

export function createEncryptStream(key: Buffer, dataKeyId: string, aad: string): Transform {
  assertAes256Key(key, 'blob data key');
  const aadBytes = blobAad(aad);
  const keyIdBytes = Buffer.from(dataKeyId, 'utf8');
  if (keyIdBytes.length === 0 || keyIdBytes.length > MAX_KEY_ID_BYTES) {
    throw new RangeError(`data key id must be 1-${MAX_KEY_ID_BYTES} bytes of UTF-8`);
  }
  const baseIv = randomBytes(IV_BYTES);
  const header = Buffer.concat([
    MAGIC_BYTES,
    Buffer.of(BLOB_FORMAT_VERSION, keyIdBytes.length),
    keyIdBytes,
    baseIv,
  ]);
  const pending = new ByteQueue();
  let recordIndex = 0;

  const sealRecord = (plaintext: Buffer, final: boolean): Buffer => {
    const iv = recordIv(baseIv, recordIndex);
    recordIndex += 1;
    const { ciphertext, tag } = encryptGcm(key, iv, plaintext, recordAad(header, final, aadBytes));
    return Buffer.concat([ciphertext, tag]);
  };

  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      pending.push(chunk);
      while (pending.length >= BLOB_CHUNK_BYTES) {
        this.push(sealRecord(pending.take(BLOB_CHUNK_BYTES), false));
      }
      callback();
    },
    flush(callback) {
      this.push(sealRecord(pending.takeAll(), true));
      callback();
    },
  });
  stream.push(header);
  return stream;
}

/**
 * Decrypts an HRB1 blob, releasing each record's plaintext only after its tag checks out. A stream
 * that was altered, reordered, truncated or bound to another AAD ends in a {@link DecryptionError};
 * consumers must treat already-received bytes of a failed stream as void (e.g. abort the response).
 */
export function createDecryptStream(
  resolveKey: (dataKeyId: string) => Promise<Buffer>,
  aad: string,
): Transform {
  const aadBytes = blobAad(aad);
  const pending = new ByteQueue();
  let headerBytes = Buffer.alloc(0);
  let reader: { header: Buffer; baseIv: Buffer; key: Buffer } | undefined;
  let recordIndex = 0;

  const openRecord = (record: Buffer, final: boolean): Buffer => {
    if (!reader) throw new DecryptionError('encrypted blob has no header');
    const iv = recordIv(reader.baseIv, recordIndex);
    recordIndex += 1;
    const ciphertext = record.subarray(0, record.length - TAG_BYTES);
    const tag = record.subarray(record.length - TAG_BYTES);
    try {
      return decryptGcm(reader.key, iv, ciphertext, tag, recordAad(reader.header, final, aadBytes));
    } catch {
      throw new DecryptionError(`encrypted blob record ${recordIndex - 1} failed authentication`);
    }
  };

  const readHeader = async (chunk: Buffer): Promise<Buffer> => {
    headerBytes = Buffer.concat([headerBytes, chunk]);
    const parsed = parseHeader(headerBytes);
    if (!parsed) return Buffer.alloc(0);
    const key = await resolveKey(parsed.dataKeyId);
    assertAes256Key(key, `data key "${parsed.dataKeyId}"`);
    reader = { header: headerBytes.subarray(0, parsed.length), baseIv: parsed.baseIv, key };
    return headerBytes.subarray(parsed.length);
  };

  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      const body = reader ? Promise.resolve(chunk) : readHeader(chunk);
      body
        .then((bytes) => {
          pending.push(bytes);
          while (pending.length >= RECORD_BYTES) {
            this.push(openRecord(pending.take(RECORD_BYTES), false));
          }
          callback();
        })
        .catch((error: unknown) => callback(error as Error));
    },
    flush(callback) {
      try {
        if (!reader) throw new DecryptionError('encrypted blob is truncated: incomplete header');
        if (pending.length < TAG_BYTES)
          throw new DecryptionError('encrypted blob is truncated: final record missing');
        this.push(openRecord(pending.takeAll(), true));
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
  });
}

function parseHeader(bytes: Buffer): { dataKeyId: string; baseIv: Buffer; length: number } | null {
  const magicSeen = bytes.subarray(0, MAGIC_BYTES.length);
  if (!MAGIC_BYTES.subarray(0, magicSeen.length).equals(magicSeen)) {
    throw new DecryptionError(`not an encrypted blob: missing ${BLOB_MAGIC} header`);
  }
  if (bytes.length < FIXED_HEADER_BYTES) return null;
  const version = bytes[MAGIC_BYTES.length];
  if (version !== BLOB_FORMAT_VERSION) {
    throw new DecryptionError(`unsupported encrypted blob version ${version}`);
  }
  const keyIdLength = bytes[MAGIC_BYTES.length + 1] as number;
  if (keyIdLength === 0) throw new DecryptionError('encrypted blob header names no data key');
  const length = FIXED_HEADER_BYTES + keyIdLength + IV_BYTES;
  if (bytes.length < length) return null;
  return {
    dataKeyId: bytes.subarray(FIXED_HEADER_BYTES, FIXED_HEADER_BYTES + keyIdLength).toString('utf8'),
    baseIv: bytes.subarray(FIXED_HEADER_BYTES + keyIdLength, length),
    length,
  };
}

function recordIv(baseIv: Buffer, recordIndex: number): Buffer {
  const iv = Buffer.from(baseIv);
  iv.writeBigUInt64BE(iv.readBigUInt64BE(IV_BYTES - 8) ^ BigInt(recordIndex), IV_BYTES - 8);
  return iv;
}

function recordAad(header: Buffer, final: boolean, aad: Buffer): Buffer {
  return Buffer.concat([header, Buffer.of(final ? 1 : 0), aad]);
}

function blobAad(aad: string): Buffer {
  if (aad === '') throw new RangeError('aad must name the blob, e.g. attachment:<id>');
  return Buffer.from(aad, 'utf8');
}
