import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertBlobKey, BlobNotFoundError, type BlobStore } from './blob-store';

const FILE_MODE = 0o600;
const DIRECTORY_MODE = 0o700;

/**
 * Blobs as files under one directory (STORAGE_DIR), readable by the service's user alone. A blob is
 * written to a temporary file beside its final name, flushed to disk and renamed into place, so a
 * reader (or a crash) never sees a partial blob under the real key.
 */
export class LocalDirectoryBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  async put(key: string, source: Readable): Promise<{ bytes: number }> {
    const path = this.pathOf(key);
    // The source may fail while the directory and file are prepared (an upload found not to be a zip):
    // keep its error for the caller rather than let it escape as an unhandled 'error' event.
    let failedEarly: Error | undefined;
    source.on('error', (error) => (failedEarly ??= error));
    const temporary = `${path}.tmp-${randomUUID()}`;
    let bytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        callback(null, chunk);
      },
    });
    // The temporary file exists before any byte flows, so a source that fails at once can never leave it
    // behind by failing before the write stream had created it. `wx`: never follow or reuse an existing
    // file; `flush`: fsync before close, so the rename below publishes bytes that are on disk.
    let handle: FileHandle;
    try {
      await mkdir(dirname(path), { recursive: true, mode: DIRECTORY_MODE });
      handle = await open(temporary, 'wx', FILE_MODE);
    } catch (error) {
      source.destroy();
      throw error;
    }
    try {
      if (failedEarly) throw failedEarly;
      await pipeline(source, counter, handle.createWriteStream({ flush: true }));
      await rename(temporary, path);
    } catch (error) {
      await handle.close().catch(() => undefined);
      source.destroy();
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
    await syncDirectory(dirname(path));
    return { bytes };
  }

  async get(key: string): Promise<Readable> {
    const path = this.pathOf(key);
    let handle: FileHandle;
    try {
      handle = await open(path, constants.O_RDONLY);
    } catch (error) {
      if (isMissing(error)) throw new BlobNotFoundError(key);
      throw error;
    }
    return handle.createReadStream();
  }

  async delete(key: string): Promise<void> {
    try {
      await unlink(this.pathOf(key));
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(key))).isFile();
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  private pathOf(key: string): string {
    assertBlobKey(key);
    return join(this.root, ...key.split('/'));
  }
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/** Makes the rename itself durable: without it a power cut can lose a blob that put() reported stored. */
async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
