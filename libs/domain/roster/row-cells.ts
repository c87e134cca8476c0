import type { CsvRow, CsvTableHeader } from './csv-table';
import { COLUMNS, type RosterFile } from './oneroster-spec';
import type { RosterFileError } from './types';

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const LANGUAGE_TAG = /^([A-Za-z]{2,3})(?:[-_]([A-Za-z]{4}))?(?:[-_]([A-Za-z]{2}|\d{3}))?$/;
const SHOWN_VALUE_LENGTH = 40;

const columnIndexes = new Map<RosterFile, ReadonlyMap<string, number>>();

function columnIndex(file: RosterFile): ReadonlyMap<string, number> {
  let indexes = columnIndexes.get(file);
  if (!indexes) {
    indexes = new Map(COLUMNS[file].map((name, index) => [name, index]));
    columnIndexes.set(file, indexes);
  }
  return indexes;
}

/** Lower-cased value → the spec's spelling, per enumeration, built on first need. */
const caseInsensitive = new WeakMap<readonly string[], ReadonlyMap<string, string>>();

function spellingOf(values: readonly string[], value: string): string | undefined {
  let spellings = caseInsensitive.get(values);
  if (!spellings) {
    spellings = new Map(values.map((spelled) => [spelled.toLowerCase(), spelled]));
    caseInsensitive.set(values, spellings);
  }
  return spellings.get(value.toLowerCase());
}

/**
 * Typed access to the cells of the current row of one file (one instance per file, moved from row to
 * row). Every problem is reported as a warning with the row's line and marks the row invalid, so it is
 * skipped; blank cells are never reported here (the required-column check does that once). A column
 * the file lacks reads as blank. Values are trimmed.
 */
export class RowCells {
  valid = true;
  private row: CsvRow = { line: 0, fields: [] };
  private readonly indexes: ReadonlyMap<string, number>;

  constructor(
    rosterFile: RosterFile,
    private readonly header: CsvTableHeader,
    private readonly warnings: RosterFileError[],
  ) {
    this.indexes = columnIndex(rosterFile);
  }

  moveTo(row: CsvRow): void {
    this.row = row;
    this.valid = true;
  }

  get line(): number {
    return this.row.line;
  }

  get width(): number {
    return this.row.fields.length;
  }

  get headerWidth(): number {
    return this.header.width;
  }

  hasHeaderWidth(): boolean {
    return this.row.fields.length === this.header.width;
  }

  fail(message: string): void {
    this.valid = false;
    this.warnings.push({ file: this.header.file, line: this.row.line, message });
  }

  /** The cell of a spec column, '' when blank or when the file lacks the column. */
  text(column: string): string {
    const position = this.header.positions[this.index(column)];
    return position === -1 ? '' : this.row.fields[position].trim();
  }

  /** Whether the current row is long enough to hold the column (for rows of the wrong width). */
  reaches(column: string): boolean {
    const position = this.header.positions[this.index(column)];
    return position !== -1 && position < this.row.fields.length;
  }

  /** Whether the file has the column at all. */
  has(column: string): boolean {
    return this.header.positions[this.index(column)] !== -1;
  }

  /** The spec's index of a column (its place in COLUMNS). */
  index(column: string): number {
    const index = this.indexes.get(column);
    if (index === undefined) throw new Error(`no spec column ${column}`);
    return index;
  }

  optional(column: string): string | null {
    return this.text(column) || null;
  }

  /** Keeps the current row's cells readable after the cursor has moved on. */
  detach(): (column: string) => string | null {
    const fields = this.row.fields;
    const positions = this.header.positions;
    return (column) => {
      const position = positions[this.index(column)];
      return position === -1 ? null : fields[position].trim() || null;
    };
  }

  /** Exports write `Scheduled` or `Student` as readily as the spec's spelling: the case is not significant. */
  enumValue<T extends string>(column: string, values: readonly T[]): T | null {
    const value = this.text(column);
    if (!value) return null;
    if ((values as readonly string[]).includes(value)) return value as T;
    const spelled = spellingOf(values, value);
    if (spelled !== undefined) return spelled as T;
    this.fail(`${column} '${shown(value)}' is not one of ${values.join(', ')}`);
    return null;
  }

  /** Spreadsheets rewrite true/false as TRUE/FALSE, so the case is not significant. */
  boolean(column: string): boolean | null {
    const value = this.text(column);
    if (!value) return null;
    const lower = value.toLowerCase();
    if (lower === 'true' || lower === 'false') return lower === 'true';
    this.fail(`${column} must be true or false, not '${shown(value)}'`);
    return null;
  }

  /** A list cell: one quoted field of comma-separated values. */
  list(column: string): string[] {
    const value = this.text(column);
    if (!value) return [];
    if (!value.includes(',')) return [value];
    const items = new Set<string>();
    for (const part of value.split(',')) {
      const item = part.trim();
      if (item) items.add(item);
    }
    return [...items];
  }

  /** A date; a date and time (as many exports write every date) is read as its date. */
  date(column: string): string | null {
    const value = this.text(column);
    if (!value) return null;
    if (DATE.test(value)) return value;
    if (DATE_TIME.test(value) && DATE.test(value.slice(0, 10)) && !Number.isNaN(Date.parse(value))) {
      return value.slice(0, 10);
    }
    this.fail(`${column} must be a date like 2025-08-31, not '${shown(value)}'`);
    return null;
  }

  dateTime(column: string): string | null {
    const value = this.text(column);
    if (!value) return null;
    if (DATE_TIME.test(value) && !Number.isNaN(Date.parse(value))) return value;
    this.fail(`${column} must be an ISO 8601 date and time, not '${shown(value)}'`);
    return null;
  }

  metadata(column: string): string | null {
    const index = this.header.metadataColumns.get(column);
    return index === undefined ? null : this.row.fields[index].trim() || null;
  }

  /** A language tag from a metadata column, normalised to the usual casing (`zh-TW`, `sr-Latn`). */
  language(column: string): string | null {
    const value = this.metadata(column);
    if (!value) return null;
    const match = LANGUAGE_TAG.exec(value);
    if (!match) {
      this.fail(`${column} '${shown(value)}' is not a language tag such as 'es' or 'zh-TW'`);
      return null;
    }
    const [, language, script, region] = match;
    return [
      language.toLowerCase(),
      script && script[0].toUpperCase() + script.slice(1).toLowerCase(),
      region?.toUpperCase(),
    ]
      .filter(Boolean)
      .join('-');
  }
}

/** Values are shown in messages only for enumerations and formats, and cut short. */
function shown(value: string): string {
  return value.length > SHOWN_VALUE_LENGTH ? `${value.slice(0, SHOWN_VALUE_LENGTH)}…` : value;
}
