import { canonicalUsername } from '../identity/canonical-identifiers';
import { readRosterTable } from './csv-table';
import {
  CLASS_TYPES,
  ENROLLMENT_ROLES,
  ORG_TYPES,
  PREFERRED_LANGUAGE_COLUMN,
  REQUIRED_VALUES,
  SESSION_TYPES,
  USER_ROLES,
  type OneRosterEnrollmentRole,
  type OneRosterUserRole,
  type OrgType,
  type RosterFile,
} from './oneroster-spec';
import { RowCells } from './row-cells';
import type { RosterFileError } from './types';

export type ImportKind = 'bulk' | 'delta';

export interface RowBase {
  line: number;
  sourcedId: string;
}

export interface OrgRow extends RowBase {
  name: string;
  type: OrgType;
}

export interface ClassRow extends RowBase {
  title: string;
  schoolSourcedId: string;
}

export interface UserRow extends RowBase {
  enabled: boolean;
  orgSourcedIds: string[];
  role: OneRosterUserRole;
  username: string;
  givenName: string;
  familyName: string;
  email: string | null;
  agentSourcedIds: string[];
  preferredLanguage: string | null;
}

export interface EnrollmentRow extends RowBase {
  classSourcedId: string;
  userSourcedId: string;
  role: OneRosterEnrollmentRole;
  primary: boolean;
  beginDate: string | null;
  endDate: string | null;
}

export interface DeletedRow extends RowBase {
  /** A cell of the deletion row, null when blank: deletion rows need carry only their sourcedId. */
  cell(column: string): string | null;
}

/** The rows of one file, split the way the snapshot builder needs them. */
export interface FileRows<T extends RowBase> {
  file: string;
  /** Valid rows to keep (every row of a bulk file, `status=active` rows of a delta), by sourcedId. */
  active: Map<string, T>;
  /** Lines of rows to keep that were invalid: a reference to one is not reported again as unknown. */
  invalid: Map<string, number>;
  /** `status=tobedeleted` rows of a delta. */
  deleted: Map<string, DeletedRow>;
  /** False when the file could not be read row by row (missing, unreadable header, CSV syntax errors). */
  complete: boolean;
}

export type RowBuilder<T extends RowBase> = (cells: RowCells, base: RowBase) => T | null;

export function emptyRows<T extends RowBase>(file: string, complete: boolean): FileRows<T> {
  return { file, active: new Map(), invalid: new Map(), deleted: new Map(), complete };
}

/**
 * Reads one roster file and checks the parts every OneRoster row shares (sourcedId, unique in the
 * file; status and dateLastModified as the import kind demands; the file's required values), then
 * builds each row with `build`.
 */
export function readRows<T extends RowBase>(
  rosterFile: RosterFile,
  file: string,
  bytes: Uint8Array,
  kind: ImportKind,
  errors: RosterFileError[],
  build: RowBuilder<T>,
): FileRows<T> {
  const rows = emptyRows<T>(file, true);
  let cells: RowCells | null = null;
  rows.complete = readRosterTable(rosterFile, file, bytes, errors, (row, header) => {
    cells ??= new RowCells(rosterFile, header, errors);
    cells.moveTo(row);
    readRow(rosterFile, cells, kind, rows, build);
  });
  return rows;
}

function readRow<T extends RowBase>(
  rosterFile: RosterFile,
  cells: RowCells,
  kind: ImportKind,
  rows: FileRows<T>,
  build: RowBuilder<T>,
): void {
  const line = cells.line;
  const sourcedId = cells.text('sourcedId');
  if (!sourcedId) {
    cells.fail('sourcedId is required');
    return;
  }
  const firstLine =
    rows.active.get(sourcedId)?.line ?? rows.invalid.get(sourcedId) ?? rows.deleted.get(sourcedId)?.line;
  if (firstLine !== undefined) {
    cells.fail(`duplicate sourcedId '${sourcedId}' (first on line ${firstLine})`);
    return;
  }
  if (!cells.hasHeaderWidth()) {
    // Every OneRoster file starts with sourcedId: keep it so references to the row are not reported too.
    cells.fail(`the row has ${cells.width} fields but the header has ${cells.headerWidth}`);
    rows.invalid.set(sourcedId, line);
    return;
  }

  if (readStatus(cells, kind) === 'tobedeleted') {
    rows.deleted.set(sourcedId, { line, sourcedId, cell: cells.detach() });
    return;
  }
  for (const column of REQUIRED_VALUES[rosterFile]) {
    if (!cells.text(column)) cells.fail(`${column} is required`);
  }
  const built = build(cells, { line, sourcedId });
  if (built && cells.valid) rows.active.set(sourcedId, built);
  else rows.invalid.set(sourcedId, line);
}

function readStatus(cells: RowCells, kind: ImportKind): 'active' | 'tobedeleted' {
  const status = cells.text('status');
  if (kind === 'bulk') {
    if (status) cells.fail(`status must be blank in a bulk file, not '${status.slice(0, 20)}'`);
    return 'active';
  }
  if (!cells.text('dateLastModified')) cells.fail('dateLastModified is required in a delta file');
  else cells.dateTime('dateLastModified');
  if (status === 'active' || status === 'tobedeleted') return status;
  cells.fail(`status must be active or tobedeleted in a delta file, not '${status.slice(0, 20)}'`);
  return 'active';
}

export const readOrg: RowBuilder<OrgRow> = (cells, base) => {
  const type = cells.enumValue('type', ORG_TYPES);
  return type && { line: base.line, sourcedId: base.sourcedId, name: cells.text('name'), type };
};

export const readAcademicSession: RowBuilder<RowBase> = (cells, base) => {
  cells.enumValue('type', SESSION_TYPES);
  cells.date('startDate');
  cells.date('endDate');
  return base;
};

export const readCourse: RowBuilder<RowBase> = (_cells, base) => base;

export const readClass: RowBuilder<ClassRow> = (cells, base) => {
  cells.enumValue('classType', CLASS_TYPES);
  if (cells.text('termSourcedIds') && cells.list('termSourcedIds').length === 0) {
    cells.fail('termSourcedIds lists no term');
  }
  return {
    line: base.line,
    sourcedId: base.sourcedId,
    title: cells.text('title'),
    schoolSourcedId: cells.text('schoolSourcedId'),
  };
};

export const readUser: RowBuilder<UserRow> = (cells, base) => {
  const enabled = cells.boolean('enabledUser');
  const role = cells.enumValue('role', USER_ROLES);
  const preferredLanguage = cells.language(PREFERRED_LANGUAGE_COLUMN);
  if (cells.text('orgSourcedIds') && cells.list('orgSourcedIds').length === 0)
    cells.fail('orgSourcedIds lists no org');
  if (enabled === null || role === null) return null;
  return {
    line: base.line,
    sourcedId: base.sourcedId,
    enabled,
    orgSourcedIds: cells.list('orgSourcedIds'),
    role,
    username: canonicalUsername(cells.text('username')),
    givenName: cells.text('givenName'),
    familyName: cells.text('familyName'),
    email: cells.optional('email'),
    agentSourcedIds: cells.list('agentSourcedIds'),
    preferredLanguage,
  };
};

export const readEnrollment: RowBuilder<EnrollmentRow> = (cells, base) => {
  const role = cells.enumValue('role', ENROLLMENT_ROLES);
  const primary = cells.boolean('primary');
  const beginDate = cells.date('beginDate');
  const endDate = cells.date('endDate');
  if (role === null) return null;
  return {
    line: base.line,
    sourcedId: base.sourcedId,
    classSourcedId: cells.text('classSourcedId'),
    userSourcedId: cells.text('userSourcedId'),
    role,
    primary: primary ?? false,
    beginDate,
    endDate,
  };
};
