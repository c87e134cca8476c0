import { MANIFEST_FILE, readManifest } from './manifest';
import { ROSTER_FILES, csvFileName, type RosterFile } from './oneroster-spec';
import {
  emptyRows,
  readAcademicSession,
  readClass,
  readCourse,
  readEnrollment,
  readOrg,
  readRows,
  readUser,
  type FileRows,
  type RowBase,
  type RowBuilder,
} from './row-readers';
import { openZipArchive, ZipEntryError, type ZipArchive } from './safe-zip-reader';
import { buildBulkSnapshot, buildDeltaSnapshot, type RosterRows } from './snapshot-builder';
import { ARCHIVE_FILE, type RosterFileError, type RosterParseOptions, type RosterParseResult } from './types';

export const DEFAULT_MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024;
export const DEFAULT_MAX_ENTRIES = 1_000;

/**
 * Reads a OneRoster 1.1 CSV export (bulk or delta) and projects it onto what Homeroom keeps. Every
 * problem is collected; any problem makes the whole export fail, so a malformed export changes
 * nothing. demographics.csv and the gradebook/resource files are never inflated.
 */
export function parseOneRosterZip(zip: Uint8Array, options: RosterParseOptions = {}): RosterParseResult {
  const opened = openZipArchive(zip, {
    maxUncompressedBytes: options.maxUncompressedBytes ?? DEFAULT_MAX_UNCOMPRESSED_BYTES,
    maxEntries: options.maxEntries ?? DEFAULT_MAX_ENTRIES,
  });
  if (!opened.ok) return failure(opened.errors);
  const { archive } = opened;
  const errors: RosterFileError[] = [];

  if (!archive.has(MANIFEST_FILE)) {
    errors.push({ file: MANIFEST_FILE, line: 0, message: missingManifestMessage(archive) });
    return failure(errors);
  }
  const manifestBytes = readEntry(archive, MANIFEST_FILE, errors);
  const manifest = manifestBytes && readManifest(manifestBytes, errors);
  if (!manifest) return failure(errors);

  const read = <T extends RowBase>(file: RosterFile, builder: RowBuilder<T>): FileRows<T> => {
    const name = csvFileName(file);
    const mode = manifest.modes[file];
    if (mode === 'absent') return emptyRows(name, true);
    if (!archive.has(name)) {
      errors.push({
        file: name,
        line: 0,
        message: `the manifest lists ${name} as ${mode} but the archive lacks it`,
      });
      return emptyRows(name, false);
    }
    const bytes = readEntry(archive, name, errors);
    return bytes ? readRows(file, name, bytes, manifest.kind, errors, builder) : emptyRows(name, false);
  };
  const others = [read('academicSessions', readAcademicSession), read('courses', readCourse)];
  const rows: RosterRows = {
    kind: manifest.kind,
    orgs: read('orgs', readOrg),
    classes: read('classes', readClass),
    users: read('users', readUser),
    enrollments: read('enrollments', readEnrollment),
  };
  // Cross-file checks against a file whose rows could not all be read would only repeat its errors.
  if (![...others, rows.orgs, rows.classes, rows.users, rows.enrollments].every((file) => file.complete)) {
    return failure(errors);
  }
  const snapshot = rows.kind === 'bulk' ? buildBulkSnapshot(rows, errors) : buildDeltaSnapshot(rows, errors);
  if (errors.length > 0) return failure(errors);
  return snapshot.kind === 'bulk'
    ? { ok: true, kind: 'bulk', snapshot }
    : { ok: true, kind: 'delta', snapshot };
}

function readEntry(archive: ZipArchive, name: string, errors: RosterFileError[]): Uint8Array | null {
  try {
    return archive.read(name);
  } catch (error) {
    if (!(error instanceof ZipEntryError)) throw error;
    errors.push({ file: name, line: 0, message: error.message });
    return null;
  }
}

function missingManifestMessage(archive: ZipArchive): string {
  const nested = archive.entryNames.find((name) => name.endsWith(`/${MANIFEST_FILE}`));
  return nested
    ? `the archive has no ${MANIFEST_FILE} at its root (found ${nested}: zip the files themselves, not their folder)`
    : `the archive has no ${MANIFEST_FILE}`;
}

const FILE_ORDER = [ARCHIVE_FILE, MANIFEST_FILE, ...ROSTER_FILES.map((file) => csvFileName(file))];

function failure(errors: RosterFileError[]): RosterParseResult {
  const rank = (file: string) => {
    const index = FILE_ORDER.indexOf(file);
    return index === -1 ? FILE_ORDER.length : index;
  };
  return { ok: false, errors: [...errors].sort((a, b) => rank(a.file) - rank(b.file) || a.line - b.line) };
}
