import { readCsvRecords } from './csv-records';
import {
  COLUMN_ALIASES,
  COLUMNS,
  KNOWN_UNUSED_COLUMNS,
  METADATA_COLUMN_PREFIX,
  REQUIRED_COLUMNS,
  type RosterFile,
} from './oneroster-spec';
import type { RosterFileError } from './types';

/**
 * Where problems go: `errors` refuse the whole export (nothing is applied), `warnings` name rows that
 * were skipped or tolerances that were used while the rest applies.
 */
export interface RosterProblems {
  errors: RosterFileError[];
  warnings: RosterFileError[];
}

/** What the rows of a roster CSV need from its header once it was understood. */
export interface CsvTableHeader {
  file: string;
  /** How many fields every row must have. */
  width: number;
  /** For each spec column (by its index in COLUMNS), the row field holding it; -1 when the file lacks it. */
  positions: readonly number[];
  /** `metadata.*` extension columns by name. */
  metadataColumns: ReadonlyMap<string, number>;
}

export interface CsvRow {
  line: number;
  /** Untrimmed values; a malformed row may have more or fewer than the header. */
  fields: string[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes UTF-8 (a BOM is dropped), reports invalid bytes by line. */
export function decodeUtf8(file: string, bytes: Uint8Array, errors: RosterFileError[]): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    errors.push({ file, line: firstInvalidUtf8Line(bytes), message: 'this line is not valid UTF-8' });
    return null;
  }
}

function firstInvalidUtf8Line(bytes: Uint8Array): number {
  let line = 1;
  let start = 0;
  while (start <= bytes.length) {
    let stop = bytes.indexOf(0x0a, start);
    if (stop === -1) stop = bytes.length;
    try {
      utf8.decode(bytes.subarray(start, stop));
    } catch {
      return line;
    }
    start = stop + 1;
    line++;
  }
  return 0;
}

/**
 * Parses one roster file and maps its header onto the spec's columns, by name and in any order:
 * OneRoster 1.0 names and letter case are tolerated, `metadata.*` columns kept, other unknown columns
 * ignored with one warning. Rows go to `onRow` one at a time, whatever their width. A header that
 * lacks a column Homeroom needs, or names one twice, makes the file unusable (errors on line 1); a line
 * the CSV reader had to skip is a warning, an unclosed quote (the rest of the file is lost) an error.
 * The result says whether the file was usable and how many lines the CSV reader skipped.
 */
export function readRosterTable(
  rosterFile: RosterFile,
  file: string,
  bytes: Uint8Array,
  problems: RosterProblems,
  onRow: (row: CsvRow, header: CsvTableHeader) => void,
): { usable: boolean; skippedLines: number } {
  const text = decodeUtf8(file, bytes, problems.errors);
  if (text === null) return { usable: false, skippedLines: 0 };
  let header: CsvTableHeader | null = null;
  // Asserted, not annotated: the callback changes it, which narrowing after the call cannot see.
  let state = 'header' as 'header' | 'rows' | 'unusable';

  const syntaxErrors = readCsvRecords(text, (record) => {
    if (state === 'rows' && header) {
      if (record.endLine > record.line && record.fields.length !== header.width) {
        // A quote left open swallows the lines after it into one field: those rows would silently
        // read as absent. The file cannot be trusted row by row.
        problems.errors.push({
          file,
          line: record.line,
          message: `a quoted field opened on this line runs to line ${record.endLine} and leaves the row with ${record.fields.length} fields instead of ${header.width}: a quote is probably missing`,
        });
        state = 'unusable';
        return;
      }
      onRow(record, header);
      return;
    }
    if (state === 'unusable') return;
    if (record.line !== 1) {
      problems.errors.push({ file, line: 1, message: 'the first line must be the header' });
      state = 'unusable';
      return;
    }
    const mapped = mapHeader(rosterFile, record.fields);
    for (const message of mapped.problems) problems.errors.push({ file, line: 1, message });
    if (mapped.problems.length > 0) {
      state = 'unusable';
      return;
    }
    if (mapped.ignored.length > 0) {
      problems.warnings.push({
        file,
        line: 1,
        message: `columns that OneRoster does not define are ignored: ${mapped.ignored.map(shownName).join(', ')}`,
      });
    }
    header = {
      file,
      width: record.fields.length,
      positions: mapped.positions,
      metadataColumns: mapped.metadataColumns,
    };
    state = 'rows';
  });
  let fatal = false;
  for (const { fatal: lost, ...syntaxError } of syntaxErrors) {
    (lost ? problems.errors : problems.warnings).push({ file, ...syntaxError });
    fatal ||= lost;
  }
  if (state === 'header' && syntaxErrors.length === 0) {
    problems.errors.push({ file, line: 0, message: 'the file is empty: it needs a header line' });
  }
  return { usable: state === 'rows' && !fatal, skippedLines: syntaxErrors.length - (fatal ? 1 : 0) };
}

export interface MappedHeader {
  positions: number[];
  metadataColumns: Map<string, number>;
  /** Unknown columns, as written. */
  ignored: string[];
  /** Why the header cannot be used. */
  problems: string[];
}

/**
 * Maps header names onto the spec's columns: exact names first, then OneRoster 1.0 names, then either
 * in another letter case (`SourcedId`, `userid`).
 */
export function mapHeader(rosterFile: RosterFile, actual: readonly string[]): MappedHeader {
  const columns = COLUMNS[rosterFile];
  const aliases = COLUMN_ALIASES[rosterFile];
  const unused = new Set(KNOWN_UNUSED_COLUMNS[rosterFile]);
  const byName = new Map<string, number>();
  const byLowerCase = new Map<string, number>();
  columns.forEach((name, index) => {
    byName.set(name, index);
    byLowerCase.set(name.toLowerCase(), index);
  });
  for (const [alias, name] of Object.entries(aliases)) {
    const index = byName.get(name)!;
    if (!byName.has(alias)) byName.set(alias, index);
    if (!byLowerCase.has(alias.toLowerCase())) byLowerCase.set(alias.toLowerCase(), index);
  }

  const positions = columns.map(() => -1);
  const metadataColumns = new Map<string, number>();
  const ignored: string[] = [];
  const problems: string[] = [];
  actual.forEach((raw, position) => {
    const name = raw.trim();
    if (name.startsWith(METADATA_COLUMN_PREFIX)) {
      if (metadataColumns.has(name)) problems.push(`the column '${shownName(name)}' appears twice`);
      metadataColumns.set(name, position);
      return;
    }
    const index = byName.get(name) ?? byLowerCase.get(name.toLowerCase());
    if (index === undefined) {
      if (!unused.has(name)) ignored.push(name);
      return;
    }
    if (positions[index] !== -1) {
      problems.push(
        `the column '${columns[index]}' appears twice (as '${shownName(actual[positions[index]])}' and '${shownName(name)}')`,
      );
      return;
    }
    positions[index] = position;
  });
  for (const name of REQUIRED_COLUMNS[rosterFile]) {
    if (positions[byName.get(name)!] === -1) problems.push(`the required column '${name}' is missing`);
  }
  return { positions, metadataColumns, ignored, problems };
}

const SHOWN_NAME_LENGTH = 40;

/** Header names come from the file: shown cut short. */
function shownName(name: string): string {
  if (!name.trim()) return '(blank)';
  return name.length > SHOWN_NAME_LENGTH ? `${name.slice(0, SHOWN_NAME_LENGTH)}…` : name;
}
