import { strToU8, zipSync, type Zippable } from 'fflate';
import { toCsv } from '../../domain/roster/csv-writer';
import { csvFileName } from '../../domain/roster/oneroster-spec';
import { collectionHeader, ONEROSTER_COLLECTIONS, type OneRosterCollection } from './records';

/** A fixed timestamp: the same records give the same bytes, so an unchanged roster is recognised by its hash. */
const ENTRY_TIME = new Date('2000-01-01T00:00:00Z');

/**
 * The pages of one pass through the REST API as the OneRoster 1.1 bulk export holding the same rows:
 * the import then runs exactly as for an uploaded export. Courses are not fetched (Homeroom keeps
 * none); the manifest says so, as any export may.
 */
export function oneRosterApiExportZip(
  rows: Readonly<Record<OneRosterCollection, readonly string[][]>>,
): Uint8Array {
  const files: Zippable = {};
  for (const collection of ONEROSTER_COLLECTIONS) {
    files[csvFileName(collection)] = [
      strToU8(toCsv(collectionHeader(collection), rows[collection])),
      { mtime: ENTRY_TIME },
    ];
  }
  const manifest: string[][] = [
    ['manifest.version', '1.0'],
    ['oneroster.version', '1.1'],
    ['source.systemName', 'OneRoster REST API'],
    ['file.courses', 'absent'],
    ['file.demographics', 'absent'],
    ...ONEROSTER_COLLECTIONS.map((collection) => [`file.${collection}`, 'bulk']),
  ];
  files['manifest.csv'] = [strToU8(toCsv(['propertyName', 'value'], manifest)), { mtime: ENTRY_TIME }];
  return zipSync(files, { level: 6 });
}
