import { decodeUtf8, type RosterProblems } from './csv-table';
import { readCsvRecords, type CsvRecord } from './csv-records';
import {
  FILES_REQUIRED_IN_BULK,
  IGNORED_ONEROSTER_FILES,
  MANIFEST_FILE_MODES,
  MANIFEST_VERSION,
  ONEROSTER_VERSIONS,
  ROSTER_FILES,
  isOneOf,
  type ManifestFileMode,
  type OneRosterVersion,
  type RosterFile,
} from './oneroster-spec';
import type { RosterFileError } from './types';

export const MANIFEST_FILE = 'manifest.csv';

export interface Manifest {
  kind: 'bulk' | 'delta';
  version: OneRosterVersion;
  modes: Record<RosterFile, ManifestFileMode>;
}

interface Property {
  value: string;
  line: number;
}

/**
 * Reads manifest.csv (`propertyName,value`); null when it is unusable, with the reasons in `errors`.
 * What a manifest says about the import as a whole stays strict (which version, bulk or delta, which
 * required files): a misread there would remove or keep a whole district. Tolerated: a file it does not
 * declare (read as absent), modes in any letter case, and files Homeroom does not know (a warning).
 */
export function readManifest(bytes: Uint8Array, problems: RosterProblems): Manifest | null {
  const { errors } = problems;
  const before = errors.length;
  const report = (line: number, message: string) => errors.push({ file: MANIFEST_FILE, line, message });
  const properties = readProperties(bytes, errors);
  if (!properties) return null;

  const manifestVersion = properties.get('manifest.version');
  if (manifestVersion && manifestVersion.value !== MANIFEST_VERSION) {
    report(
      manifestVersion.line,
      `'manifest.version' is '${shown(manifestVersion.value)}' but Homeroom reads manifest version ${MANIFEST_VERSION}`,
    );
  }
  const versionProperty = properties.get('oneroster.version');
  let version: OneRosterVersion | null = null;
  if (!versionProperty) {
    report(0, `the manifest does not declare 'oneroster.version' (${ONEROSTER_VERSIONS.join(', ')})`);
  } else if (isOneOf(ONEROSTER_VERSIONS, versionProperty.value)) {
    version = versionProperty.value;
  } else {
    report(
      versionProperty.line,
      `'oneroster.version' is '${shown(versionProperty.value)}' but Homeroom reads OneRoster ${ONEROSTER_VERSIONS.join(', ')}`,
    );
  }

  const rosterFiles = new Set<string>(ROSTER_FILES);
  const ignoredFiles = new Set<string>(IGNORED_ONEROSTER_FILES);
  const modes = Object.fromEntries(ROSTER_FILES.map((file) => [file, 'absent'])) as Record<
    RosterFile,
    ManifestFileMode
  >;
  for (const [name, property] of properties) {
    if (!name.startsWith('file.')) continue;
    const file = name.slice('file.'.length);
    const mode = property.value.toLowerCase();
    if (!isOneOf(MANIFEST_FILE_MODES, mode)) {
      report(property.line, `'${shown(name)}' must be absent, bulk or delta, not '${shown(property.value)}'`);
    } else if (rosterFiles.has(file)) {
      modes[file as RosterFile] = mode;
    } else if (!ignoredFiles.has(file) && mode !== 'absent') {
      problems.warnings.push({
        file: MANIFEST_FILE,
        line: property.line,
        message: `'${shown(name)}' names a file that OneRoster does not define: it is ignored`,
      });
    }
  }

  const kind = importKind(modes, report);
  if (kind === 'bulk') {
    for (const file of FILES_REQUIRED_IN_BULK) {
      if (modes[file] !== 'absent') continue;
      report(
        properties.get(`file.${file}`)?.line ?? 0,
        `a bulk import needs ${file}.csv: without it Homeroom would remove everything it holds of that kind`,
      );
    }
  }
  return kind && version && errors.length === before ? { kind, version, modes } : null;
}

const SHOWN_LENGTH = 40;

function shown(value: string): string {
  return value.length > SHOWN_LENGTH ? `${value.slice(0, SHOWN_LENGTH)}…` : value;
}

function readProperties(bytes: Uint8Array, errors: RosterFileError[]): Map<string, Property> | null {
  const text = decodeUtf8(MANIFEST_FILE, bytes, errors);
  if (text === null) return null;
  const records: CsvRecord[] = [];
  const syntaxErrors = readCsvRecords(text, (record) => records.push(record));
  for (const { line, message } of syntaxErrors) errors.push({ file: MANIFEST_FILE, line, message });

  const [header, ...body] = records;
  const headerText = header?.fields.map((field) => field.trim().toLowerCase()).join(',');
  if (!header || header.line !== 1 || headerText !== 'propertyname,value') {
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
    if (earlier && earlier.value !== value) {
      errors.push({
        file: MANIFEST_FILE,
        line: record.line,
        message: `'${shown(name)}' is declared twice with different values (first on line ${earlier.line})`,
      });
      continue;
    }
    if (earlier) continue;
    properties.set(name, { value, line: record.line });
  }
  return properties;
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
