import { readCsvRecords } from './csv-records';
import { COLUMNS, METADATA_COLUMN_PREFIX, type RosterFile } from './oneroster-spec';
import type { RosterFileError } from './types';

/** What the rows of a roster CSV need from its header once it matched the spec. */
export interface CsvTableHeader {
  file: string;
  /** How many fields every row must have. */
  width: number;
  /** `metadata.*` extension columns by name. Spec columns sit at their spec index. */
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
 * Parses one roster file and checks its header against the spec: the spec's columns, exactly spelled
 * and in order, then only `metadata.*` columns. Rows go to `onRow` one at a time, whatever their width. A file with a wrong
 * header delivers no rows (they cannot be read reliably) and one error per problem on line 1; the
 * result says whether the file was usable.
 */
export function readRosterTable(
  rosterFile: RosterFile,
  file: string,
  bytes: Uint8Array,
  errors: RosterFileError[],
  onRow: (row: CsvRow, header: CsvTableHeader) => void,
): boolean {
  const text = decodeUtf8(file, bytes, errors);
  if (text === null) return false;
  const expected = COLUMNS[rosterFile];
  let header: CsvTableHeader | null = null;
  // Asserted, not annotated: the callback changes it, which narrowing after the call cannot see.
  let state = 'header' as 'header' | 'rows' | 'unusable';

  const syntaxErrors = readCsvRecords(text, (record) => {
    if (state === 'rows' && header) {
      onRow(record, header);
      return;
    }
    if (state === 'unusable') return;
    if (record.line !== 1) {
      errors.push({ file, line: 1, message: 'the first line must be the header' });
      state = 'unusable';
      return;
    }
    const problems = checkHeader(expected, record.fields);
    for (const message of problems) errors.push({ file, line: 1, message });
    if (problems.length > 0) {
      state = 'unusable';
      return;
    }
    const metadataColumns = new Map<string, number>();
    record.fields.forEach((name, index) => {
      if (index >= expected.length) metadataColumns.set(name, index);
    });
    header = { file, width: record.fields.length, metadataColumns };
    state = 'rows';
  });
  for (const syntaxError of syntaxErrors) errors.push({ file, ...syntaxError });
  if (state === 'header' && syntaxErrors.length === 0) {
    errors.push({ file, line: 0, message: 'the file is empty: it needs a header line' });
  }
  return state === 'rows' && syntaxErrors.length === 0;
}

export function checkHeader(expected: readonly string[], actual: readonly string[]): string[] {
  const problems: string[] = [];
  const expectedSet = new Set(expected);
  const actualSet = new Set(actual);
  const byLowerCase = new Map(expected.map((name) => [name.toLowerCase(), name]));
  const miscased = new Set<string>();

  const counted = new Set<string>();
  for (const name of actual) {
    if (counted.has(name)) problems.push(`the column '${name}' appears twice`);
    counted.add(name);
  }
  for (const name of actual) {
    if (expectedSet.has(name) || name.startsWith(METADATA_COLUMN_PREFIX)) continue;
    const intended = byLowerCase.get(name.trim().toLowerCase());
    if (intended && !actualSet.has(intended)) {
      miscased.add(intended);
      problems.push(
        `the column '${name}' must be spelled exactly '${intended}' (headers are case-sensitive)`,
      );
    } else {
      problems.push(`unknown column '${name}': only metadata.* columns may follow the OneRoster columns`);
    }
  }
  for (const name of expected) {
    if (!actualSet.has(name) && !miscased.has(name))
      problems.push(`the required column '${name}' is missing`);
  }
  if (problems.length === 0 && expected.some((name, index) => actual[index] !== name)) {
    problems.push(
      `the columns must come in the OneRoster order: ${expected.join(',')}, then metadata.* columns`,
    );
  }
  return problems;
}
