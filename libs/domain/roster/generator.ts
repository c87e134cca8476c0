import { expectedBulkSnapshot } from './expected-snapshot';
import { generateRosterModel, type GenerateRosterOptions, type RosterModel } from './roster-model';
import { writeRosterZip } from './roster-zip-writer';
import { countSnapshot, type RosterCounts } from './snapshot-counts';

export interface GeneratedRoster {
  /** A valid OneRoster 1.1 bulk export. */
  zip: Uint8Array;
  /** What parsing `zip` must yield, in numbers. */
  expected: RosterCounts;
  /** The facts behind the zip: mutate them (roster-mutations) and write them again for scenarios. */
  model: RosterModel;
}

/** A synthetic district, the same for the same options and seed. */
export function generateRoster(options: GenerateRosterOptions = {}): GeneratedRoster {
  const model = generateRosterModel(options);
  return { zip: writeRosterZip(model), expected: countSnapshot(expectedBulkSnapshot(model)), model };
}

export { expectedBulkSnapshot } from './expected-snapshot';
export { DEMOGRAPHICS_MARKER, writeDeltaZip, writeRosterZip } from './roster-zip-writer';
export { replaceZipEntries, rewriteZip } from './rewrite-zip';
export * from './roster-mutations';
export type * from './roster-model';
export { generateRosterModel } from './roster-model';
export type { RosterCounts } from './snapshot-counts';
