import { decodeUtf8 } from './csv-table';
import { readCsvRecords, type CsvRecord } from './csv-records';
import {
  FILES_REQUIRED_IN_BULK,
  IGNORED_ONEROSTER_FILES,
  MANIFEST_FILE_MODES,
  MANIFEST_VERSION,
  ONEROSTER_VERSION,
  ROSTER_FILES,
  isOneOf,
  type ManifestFileMode,
  type RosterFile,
} from './oneroster-spec';
import type { RosterFileError } from './types';

export const MANIFEST_FILE = 'manifest.csv';

export interface Manifest {
  kind: 'bulk' | 'delta';
  modes: Record<RosterFile, ManifestFileMode>;
}

interface Property {
  value: string;
  line: number;
}

/** Reads manifest.csv (`propertyName,value`); null when it is unusable, with the reasons in `errors`. */
export function readManifest(bytes: Uint8Array, errors: RosterFileError[]): Manifest | null {
  const before = errors.length;
  const report = (line: number, message: string) => errors.push({ file: MANIFEST_FILE, line, message });
  const properties = readProperties(bytes, errors);
  if (!properties) return null;

  expectVersion(properties, 'manifest.version', MANIFEST_VERSION, report);
  expectVersion(properties, 'oneroster.version', ONEROSTER_VERSION, report);

  const knownFiles = new Set<string>([...ROSTER_FILES, ...IGNORED_ONEROSTER_FILES]);
  for (const [name, property] of properties) {
    if (!name.startsWith('file.')) continue;
    const file = name.slice('file.'.length);
    if (!knownFiles.has(file)) {
      report(property.line, `'${name}' names a file that OneRoster 1.1 does not define`);
    } else if (!isOneOf(MANIFEST_FILE_MODES, property.value)) {
      report(property.line, `'${name}' must be absent, bulk or delta, not '${property.value}'`);
    }
  }

  const modes = {} as Record<RosterFile, ManifestFileMode>;
  for (const file of ROSTER_FILES) {
    const property = properties.get(`file.${file}`);
    if (!property) report(0, `the manifest does not declare 'file.${file}'`);
    modes[file] = property && isOneOf(MANIFEST_FILE_MODES, property.value) ? property.value : 'absent';
  }

  const kind = importKind(modes, report);
  if (kind === 'bulk') {
    for (const file of FILES_REQUIRED_IN_BULK) {
      const property = properties.get(`file.${file}`);
      if (property?.value !== 'absent') continue;
      report(
        property.line,
        `a bulk import needs ${file}.csv: without it Homeroom would remove everything it holds of that kind`,
      );
    }
  }
  return kind && errors.length === before ? { kind, modes } : null;
}

function readProperties(bytes: Uint8Array, errors: RosterFileError[]): Map<string, Property> | null {
  const text = decodeUtf8(MANIFEST_FILE, bytes, errors);
  if (text === null) return null;
  const records: CsvRecord[] = [];
  const syntaxErrors = readCsvRecords(text, (record) => records.push(record));
  for (const syntaxError of syntaxErrors) errors.push({ file: MANIFEST_FILE, ...syntaxError });

  const [header, ...body] = records;
  if (!header || header.line !== 1 || header.fields.join(',') !== 'propertyName,value') {
    errors.push({ file: MANIFEST_FILE, line: 1, message: "the header must be 'propertyName,value'" });
    return null;
  }
  const properties = new Map<string, Property>();
  for (const record of body) {
    const [name, value] = record.fields.map((field) => field.trim());
    if (record.fields.length !== 2 || !name) {
      errors.push({
        file: MANIFEST_FILE,
        line: record.line,
        message: 'a line must hold a property name and a value',
      });
      continue;
    }
    const earlier = properties.get(name);
    if (earlier) {
      errors.push({
        file: MANIFEST_FILE,
        line: record.line,
        message: `'${name}' is declared twice (first on line ${earlier.line})`,
      });
      continue;
    }
    properties.set(name, { value, line: record.line });
  }
  return properties;
}

function expectVersion(
  properties: Map<string, Property>,
  name: string,
  expected: string,
  report: (line: number, message: string) => void,
): void {
  const property = properties.get(name);
  if (!property) report(0, `the manifest does not declare '${name}' (expected ${expected})`);
  else if (property.value !== expected) {
    report(property.line, `'${name}' is '${property.value}' but Homeroom reads version ${expected}`);
  }
}

function importKind(
  modes: Record<RosterFile, ManifestFileMode>,
  report: (line: number, message: string) => void,
): 'bulk' | 'delta' | null {
  const listed = ROSTER_FILES.filter((file) => modes[file] !== 'absent');
  const bulk = listed.filter((file) => modes[file] === 'bulk');
  const delta = listed.filter((file) => modes[file] === 'delta');
  if (bulk.length > 0 && delta.length > 0) {
    report(0, `the manifest mixes bulk (${bulk.join(', ')}) and delta (${delta.join(', ')}) files`);
    return null;
  }
  if (listed.length === 0) {
    report(0, 'the manifest lists no roster file as bulk or delta');
    return null;
  }
  return bulk.length > 0 ? 'bulk' : 'delta';
}
