import { type Database } from '../db/database';
import { parseOneRosterZip, type RosterParseResult } from '../domain/roster';
import { type BlobKeys, BlobNotFoundError, type BlobStore, readEncryptedBlob } from '../adapters/storage';
import { rosterBlobAad } from './roster-blob';
import { type RosterImportInput } from '../domain/roster-import/phases';

/** The import row or its stored export is gone: nothing to retry, the import cannot go on. */
export class RosterImportUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RosterImportUnavailableError';
  }
}

/**
 * Each phase needs the parsed export. Parsing 50k students takes a second or two, so the worker keeps
 * the latest few parses in memory, keyed by import; a fresh worker (after a crash) parses again. The
 * snapshot never enters a workflow history.
 */
export class RosterSnapshotSource {
  private readonly cache = new Map<string, RosterParseResult>();

  constructor(
    private readonly deps: { db: Database; store: BlobStore; keys: BlobKeys },
    private readonly maxCached = 2,
  ) {}

  async load(ref: RosterImportInput): Promise<RosterParseResult> {
    const cacheKey = `${ref.districtId}/${ref.importId}`;
    const cached = this.cache.get(cacheKey);
    if (cached) return cached;
    const row = await this.deps.db.forDistrict(ref.districtId).rosterImports.findById(ref.importId);
    if (!row) throw new RosterImportUnavailableError(`roster import ${ref.importId} does not exist`);
    if (!row.blobPath)
      throw new RosterImportUnavailableError(`the export of roster import ${ref.importId} was deleted`);
    const blob = { key: row.blobPath, aad: rosterBlobAad(ref.importId) };
    const zip = await readEncryptedBlob(this.deps.store, this.deps.keys, blob).catch((error: unknown) => {
      // The API and the worker must share STORAGE_DIR (or the bucket): a missing blob will not reappear.
      if (error instanceof BlobNotFoundError) {
        throw new RosterImportUnavailableError(
          `the export of roster import ${ref.importId} is not in storage`,
        );
      }
      throw error;
    });
    const parsed = parseOneRosterZip(zip);
    this.cache.set(cacheKey, parsed);
    while (this.cache.size > this.maxCached) this.cache.delete(this.cache.keys().next().value as string);
    return parsed;
  }

  forget(ref: RosterImportInput): void {
    this.cache.delete(`${ref.districtId}/${ref.importId}`);
  }
}
