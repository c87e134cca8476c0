import { type Readable } from 'node:stream';
import { createDecryptStream, createEncryptStream } from '../../crypto/blob-stream';
import { type FieldCipher } from '../../crypto/envelope';
import { type BlobStore } from './blob-store';

/** The part of FieldCipher that blobs need: the district's data key to seal, any data key to open. */
export type BlobKeys = Pick<FieldCipher, 'districtDataKey' | 'dataKey'>;

export interface EncryptedBlobTarget {
  districtId: string;
  key: string;
  /** Names the row the blob belongs to (`roster-import:<id>`): a blob moved to another row fails to open. */
  aad: string;
}

/**
 * Streams `plaintext` into the store as an HRB1 blob under the district's data key; the plaintext never
 * touches the disk. If `plaintext` fails (an upload limit, a client that went away), nothing is stored
 * and its error is what rejects.
 */
export async function writeEncryptedBlob(
  store: BlobStore,
  keys: BlobKeys,
  target: EncryptedBlobTarget,
  plaintext: Readable,
): Promise<{ dataKeyId: string; storedBytes: number }> {
  // The source may fail while the key loads (an upload over its limit): keep that error, don't crash.
  let failure: Error | undefined;
  plaintext.on('error', (error) => (failure ??= error));
  const dataKey = await keys.districtDataKey(target.districtId).catch((error: unknown) => {
    plaintext.destroy();
    throw error;
  });
  if (failure) throw failure;
  const sealed = createEncryptStream(dataKey.key, dataKey.id, target.aad);
  plaintext.on('error', (error) => sealed.destroy(error));
  plaintext.pipe(sealed);
  const { bytes } = await store.put(target.key, sealed);
  return { dataKeyId: dataKey.id, storedBytes: bytes };
}

/**
 * The blob's plaintext as a stream. Bytes are released only after their record authenticates; a
 * tampered or truncated blob ends the stream with a DecryptionError, and whatever was read is void.
 */
export async function openEncryptedBlob(
  store: BlobStore,
  keys: BlobKeys,
  source: { key: string; aad: string },
): Promise<Readable> {
  const stored = await store.get(source.key);
  const opened = createDecryptStream((dataKeyId) => keys.dataKey(dataKeyId), source.aad);
  stored.once('error', (error) => opened.destroy(error));
  // A reader that goes away (a download cut off) must release the stored stream too: on S3 it holds a
  // pooled connection.
  opened.once('close', () => stored.destroy());
  return stored.pipe(opened);
}

/** The whole plaintext in memory, for consumers that need it at once (the OneRoster zip reader). */
export async function readEncryptedBlob(
  store: BlobStore,
  keys: BlobKeys,
  source: { key: string; aad: string },
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await openEncryptedBlob(store, keys, source)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
