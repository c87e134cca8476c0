import { type Readable } from 'node:stream';

/**
 * Where encrypted uploads live (roster exports now, attachments later). Keys are relative paths of
 * safe segments (`roster-imports/<districtId>/<importId>.hrb`); implementations store bytes as given —
 * encryption is the caller's job (see encrypted-blobs.ts), so a store never sees plaintext.
 */
export interface BlobStore {
  /** Consumes `source` whole; the blob appears only when all of it is stored (never half-written). */
  put(key: string, source: Readable): Promise<{ bytes: number }>;
  /** Throws {@link BlobNotFoundError} when there is no such blob. */
  get(key: string): Promise<Readable>;
  /** Deleting a blob that does not exist is not an error, so retries are harmless. */
  delete(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
}

export class BlobNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`blob ${key} does not exist`);
    this.name = 'BlobNotFoundError';
  }
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/** Rejects keys that could leave the store's root or collide with temporary files. */
export function assertBlobKey(key: string): void {
  const segments = key.split('/');
  const valid =
    key.length <= 1024 &&
    segments.every(
      (segment) => SEGMENT.test(segment) && !segment.includes('..') && !segment.includes('.tmp-'),
    );
  if (!valid) throw new RangeError(`invalid blob key: ${JSON.stringify(key)}`);
}
