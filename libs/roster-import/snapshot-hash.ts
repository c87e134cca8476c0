import { createHash } from 'node:crypto';
import { type RosterSnapshot } from '../domain/roster';

/**
 * The SHA-256 of a parsed export's content: every field of the snapshot, a row at a time (one JSON
 * line per row, so the whole export is never one string). Two exports with the same rows in the same
 * order hash the same whatever their zip's bytes (timestamps, compression), and any changed, added or
 * removed row changes it.
 */
export function snapshotSha256(snapshot: RosterSnapshot): string {
  const hash = createHash('sha256');
  for (const [key, value] of Object.entries(snapshot)) {
    hash.update(`${JSON.stringify(key)}\n`);
    if (Array.isArray(value)) {
      for (const row of value as unknown[]) hash.update(`${JSON.stringify(row)}\n`);
    } else {
      hash.update(`${JSON.stringify(value)}\n`);
    }
  }
  return hash.digest('hex');
}
