import { type RosterProblems } from './csv-table';
import { MANIFEST_FILE, readManifest, type Manifest } from './manifest';
import {
  FILES_REQUIRED_IN_BULK,
  OPTIONAL_ROSTER_FILES,
  ROSTER_FILES,
  csvFileName,
  type ManifestFileMode,
  type RosterFile,
} from './oneroster-spec';
import {
  emptyRows,
  readAcademicSession,
  readClass,
  readCourse,
  readEnrollment,
  readOrg,
  readRole,
  readRows,
  rolesOfUsers,
  userReader,
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
 * A bulk file in which more rows than this share (and more than {@link SKIPPED_ROWS_ALWAYS_TOLERATED}), or
 * every row, would be skipped is a broken export, not one with odd rows: applying the rest would remove
 * most of a district (a skipped user row reads as a user who left), so the export is refused instead.
 */
export const MAX_SKIPPED_ROW_SHARE = 0.1;
export const SKIPPED_ROWS_ALWAYS_TOLERATED = 10;

/**
 * Reads a OneRoster CSV export (1.1; 1.0 and 1.2 too; bulk or delta) and projects it onto what Homeroom
 * keeps. Problems with the export as a whole (the archive, the manifest, a required file or its header)
 * are errors and refuse it, so nothing changes. A row that cannot be understood, or that would grant
 * access on doubtful data, is skipped with a warning and the rest applies: a skipped row never grants
 * anything, and in a bulk export it reads as absent. demographics.csv and the gradebook/resource files
 * are never inflated.
 */
export function parseOneRosterZip(zip: Uint8Array, options: RosterParseOptions = {}): RosterParseResult {
  const opened = openZipArchive(zip, {
    maxUncompressedBytes: options.maxUncompressedBytes ?? DEFAULT_MAX_UNCOMPRESSED_BYTES,
    maxEntries: options.maxEntries ?? DEFAULT_MAX_ENTRIES,
  });
  if (!opened.ok) return failure(opened.errors);
  const { archive } = opened;
  const problems: RosterProblems = { errors: [], warnings: [] };
  const { errors, warnings } = problems;

  let manifest: Manifest | null;
  if (archive.has(MANIFEST_FILE)) {
    const manifestBytes = readEntry(archive, MANIFEST_FILE, errors);
    manifest = manifestBytes && readManifest(manifestBytes, problems);
  } else {
    manifest = oneRoster10Manifest(archive, problems);
  }
  if (!manifest) return failure(errors);
  const { kind, modes } = manifest;

  const read = <T extends RowBase>(file: RosterFile, builder: RowBuilder<T>): FileRows<T> => {
    const name = csvFileName(file);
    const mode = modes[file];
    if (mode === 'absent') return emptyRows(name, true);
    if (!archive.has(name)) {
      const optional = OPTIONAL_ROSTER_FILES.includes(file);
      (optional ? warnings : errors).push({
        file: name,
        line: 0,
        message: `the manifest lists ${name} as ${mode} but the archive lacks it${optional ? ': read as absent' : ''}`,
      });
      return emptyRows(name, optional);
    }
    const bytes = readEntry(archive, name, errors);
    return bytes ? readRows(file, name, bytes, kind, problems, builder) : emptyRows(name, false);
  };
  const others = [read('academicSessions', readAcademicSession), read('courses', readCourse)];
  const roles = read('roles', readRole);
  const rows: RosterRows = {
    kind,
    orgs: read('orgs', readOrg),
    classes: read('classes', readClass),
    users: read('users', userReader(modes.roles === 'absent' ? null : rolesOfUsers(roles))),
    enrollments: read('enrollments', readEnrollment),
  };
  const files = [...others, roles, rows.orgs, rows.classes, rows.users, rows.enrollments];
  // Cross-file checks against a file whose rows could not all be read would only repeat its errors.
  if (!files.every((file) => file.complete)) return failure(errors);
  const snapshot =
    rows.kind === 'bulk' ? buildBulkSnapshot(rows, warnings) : buildDeltaSnapshot(rows, warnings);
  // In a delta a skipped row changes nothing; in a bulk export it reads as absent, so it removes.
  if (rows.kind === 'bulk') refuseWhenMostlySkipped(files, problems);
  if (errors.length > 0) return failure(errors);
  const sortedWarnings = sortByFileAndLine(warnings);
  return snapshot.kind === 'bulk'
    ? { ok: true, kind: 'bulk', snapshot, warnings: sortedWarnings }
    : { ok: true, kind: 'delta', snapshot, warnings: sortedWarnings };
}

/**
 * OneRoster 1.0 had no manifest: an archive with the four files Homeroom needs at its root and no
 * manifest is read as a 1.0 bulk export, every file it holds the whole truth.
 */
function oneRoster10Manifest(archive: ZipArchive, problems: RosterProblems): Manifest | null {
  const required = FILES_REQUIRED_IN_BULK.map((file) => csvFileName(file));
  const nested = archive.entryNames.some((name) => name.endsWith(`/${MANIFEST_FILE}`));
  if (nested || !required.every((name) => archive.has(name))) {
    problems.errors.push({ file: MANIFEST_FILE, line: 0, message: missingManifestMessage(archive) });
    return null;
  }
  const modes = Object.fromEntries(
    ROSTER_FILES.map((file) => [file, archive.has(csvFileName(file)) ? 'bulk' : 'absent']),
  ) as Record<RosterFile, ManifestFileMode>;
  problems.warnings.push({
    file: MANIFEST_FILE,
    line: 0,
    message: `the archive has no ${MANIFEST_FILE}: read as a OneRoster 1.0 bulk export (each file is the whole truth)`,
  });
  return { kind: 'bulk', version: '1.0', modes };
}

/** Turns the warnings of a file that lost too many rows into errors, with the reason first. */
function refuseWhenMostlySkipped(files: readonly FileRows<RowBase>[], problems: RosterProblems): void {
  const skippedLines = new Map<string, Set<number>>();
  for (const warning of problems.warnings) {
    if (warning.line < 2) continue;
    let lines = skippedLines.get(warning.file);
    if (!lines) skippedLines.set(warning.file, (lines = new Set()));
    lines.add(warning.line);
  }
  const refused = new Set<string>();
  for (const file of files) {
    const skipped = skippedLines.get(file.file)?.size ?? 0;
    const tolerated = Math.max(SKIPPED_ROWS_ALWAYS_TOLERATED, file.rowCount * MAX_SKIPPED_ROW_SHARE);
    if (skipped === 0 || (skipped <= tolerated && skipped < file.rowCount)) continue;
    refused.add(file.file);
    problems.errors.push({
      file: file.file,
      line: 0,
      message: `${skipped} of its ${file.rowCount} rows cannot be used: the export looks broken, so none of it is applied`,
    });
  }
  if (refused.size === 0) return;
  for (const warning of problems.warnings) {
    if (refused.has(warning.file) && warning.line >= 2) problems.errors.push(warning);
  }
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

function sortByFileAndLine(problems: RosterFileError[]): RosterFileError[] {
  const rank = (file: string) => {
    const index = FILE_ORDER.indexOf(file);
    return index === -1 ? FILE_ORDER.length : index;
  };
  return [...problems].sort((a, b) => rank(a.file) - rank(b.file) || a.line - b.line);
}

function failure(errors: RosterFileError[]): RosterParseResult {
  return { ok: false, errors: sortByFileAndLine(errors) };
}
