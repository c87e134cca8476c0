import { parse } from 'csv-parse/sync';
import { unzipSync } from 'fflate';
import {
  parseOneRosterZip,
  type RosterBulkSnapshot,
  type RosterDeltaSnapshot,
  type RosterFileError,
  type RosterParseOptions,
} from '../../../libs/domain/roster';
import { rewriteZip } from '../../../libs/domain/roster/generator';

export function parseBulk(zip: Uint8Array): RosterBulkSnapshot {
  const result = parseOneRosterZip(zip);
  if (!result.ok)
    throw new Error(`expected a valid export, got ${JSON.stringify(result.errors.slice(0, 5))}`);
  if (result.kind !== 'bulk') throw new Error(`expected a bulk export, got ${result.kind}`);
  return result.snapshot;
}

/** A bulk export that parses, with the warnings it gave. */
export function parseAccepted(zip: Uint8Array): {
  snapshot: RosterBulkSnapshot;
  warnings: RosterFileError[];
} {
  const result = parseOneRosterZip(zip);
  if (!result.ok)
    throw new Error(`expected a valid export, got ${JSON.stringify(result.errors.slice(0, 5))}`);
  if (result.kind !== 'bulk') throw new Error(`expected a bulk export, got ${result.kind}`);
  return { snapshot: result.snapshot, warnings: result.warnings };
}

export function parseDelta(zip: Uint8Array): RosterDeltaSnapshot {
  const result = parseOneRosterZip(zip);
  if (!result.ok)
    throw new Error(`expected a valid export, got ${JSON.stringify(result.errors.slice(0, 5))}`);
  if (result.kind !== 'delta') throw new Error(`expected a delta export, got ${result.kind}`);
  return result.snapshot;
}

/** A delta export that parses, with the warnings it gave. */
export function parseDeltaAccepted(zip: Uint8Array): {
  snapshot: RosterDeltaSnapshot;
  warnings: RosterFileError[];
} {
  const result = parseOneRosterZip(zip);
  if (!result.ok)
    throw new Error(`expected a valid export, got ${JSON.stringify(result.errors.slice(0, 5))}`);
  if (result.kind !== 'delta') throw new Error(`expected a delta export, got ${result.kind}`);
  return { snapshot: result.snapshot, warnings: result.warnings };
}

export function parseErrors(zip: Uint8Array, options?: RosterParseOptions): RosterFileError[] {
  const result = parseOneRosterZip(zip, options);
  if (result.ok) throw new Error('expected the export to be refused, but it parsed');
  return result.errors;
}

/** Only where each error points, for exact comparisons. */
export function locations(errors: RosterFileError[]): Array<{ file: string; line: number }> {
  return errors.map(({ file, line }) => ({ file, line }));
}

/** The text of one CSV inside an export (read with fflate, independently of the parser); a BOM stays as U+FEFF. */
export function csvText(zip: Uint8Array, file: string): string {
  const entry = unzipSync(zip)[file];
  if (!entry) throw new Error(`no ${file} in the archive`);
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(entry);
}

/** The 1-based line of the first CSV line starting with `prefix` (generated files have no multi-line fields). */
export function lineStartingWith(zip: Uint8Array, file: string, prefix: string): number {
  const index = csvText(zip, file)
    .split(/\r\n/)
    .findIndex((line) => line.replace(/^\uFEFF/, '').startsWith(prefix));
  if (index === -1) throw new Error(`no line of ${file} starts with ${prefix}`);
  return index + 1;
}

/** Rewrites the line(s) starting with `prefix` in one CSV. */
export function editLine(
  zip: Uint8Array,
  file: string,
  prefix: string,
  edit: (line: string) => string,
): Uint8Array {
  return rewriteZip(zip, file, (text) =>
    text
      .split('\r\n')
      .map((line) => (line.startsWith(prefix) ? edit(line) : line))
      .join('\r\n'),
  );
}

/** Replaces the cell under `column` of the line starting with `prefix` (the line is split by csv-parse). */
export function editCell(
  zip: Uint8Array,
  file: string,
  prefix: string,
  column: string,
  value: string,
): Uint8Array {
  const header = csvText(zip, file)
    .replace(/^\uFEFF/, '')
    .split('\r\n')[0]
    .split(',');
  const index = header.indexOf(column);
  if (index === -1) throw new Error(`${file} has no column ${column}`);
  return editLine(zip, file, prefix, (line) => {
    const [cells] = parse(line) as string[][];
    cells[index] = value;
    return cells.map((cell) => (/[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell)).join(',');
  });
}

/** The snapshot with its lists in a canonical order, to compare two snapshots regardless of order. */
export function canonical<T extends RosterBulkSnapshot>(snapshot: T): T {
  const byKey =
    <R>(key: (row: R) => string) =>
    (a: R, b: R) =>
      key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
  return {
    ...snapshot,
    schools: [...snapshot.schools].sort(byKey((row) => row.sourcedId)),
    sections: [...snapshot.sections].sort(byKey((row) => row.sourcedId)),
    users: [...snapshot.users].sort(byKey((row) => row.sourcedId)),
    memberships: [...snapshot.memberships].sort(
      byKey((row) => `${row.sectionSourcedId}\u0000${row.userSourcedId}`),
    ),
    guardianLinks: [...snapshot.guardianLinks].sort(
      byKey((row) => `${row.guardianSourcedId}\u0000${row.studentSourcedId}`),
    ),
  };
}
