import { canonicalUsername } from '../identity/canonical-identifiers';
import { readRosterTable, type RosterProblems } from './csv-table';
import {
  CLASS_TYPES,
  ENROLLMENT_ROLES,
  ORG_TYPES,
  PREFERRED_LANGUAGE_COLUMN,
  REQUIRED_VALUES,
  ROLE_TYPES,
  ROW_STATUSES,
  SESSION_TYPES,
  USER_ROLES,
  type OneRosterEnrollmentRole,
  type OneRosterUserRole,
  type OrgType,
  type RosterFile,
} from './oneroster-spec';
import { RowCells } from './row-cells';

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

/** One row of roles.csv (OneRoster 1.2). */
export interface RoleRow extends RowBase {
  userSourcedId: string;
  primary: boolean;
  role: OneRosterUserRole;
  orgSourcedId: string;
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
  /**
   * Lines of rows that were skipped (invalid, reported as warnings) or that a bulk file marks
   * tobedeleted: a reference to one is skipped without being reported again as unknown.
   */
  invalid: Map<string, number>;
  /** `status=tobedeleted` rows of a delta. */
  deleted: Map<string, DeletedRow>;
  /** False when the file could not be read row by row (missing, unreadable header, an unclosed quote). */
  complete: boolean;
  /** Data rows (and lines the CSV reader skipped) in the file. */
  rowCount: number;
}

export type RowBuilder<T extends RowBase> = (cells: RowCells, base: RowBase) => T | null;

export function emptyRows<T extends RowBase>(file: string, complete: boolean): FileRows<T> {
  return { file, active: new Map(), invalid: new Map(), deleted: new Map(), complete, rowCount: 0 };
}

/**
 * Reads one roster file and checks the parts every OneRoster row shares (sourcedId, unique in the
 * file; status and dateLastModified as the import kind demands; the file's required values), then
 * builds each row with `build`. A row that fails any check is skipped with a warning naming its line.
 */
export function readRows<T extends RowBase>(
  rosterFile: RosterFile,
  file: string,
  bytes: Uint8Array,
  kind: ImportKind,
  problems: RosterProblems,
  build: RowBuilder<T>,
): FileRows<T> {
  const rows = emptyRows<T>(file, true);
  let cells: RowCells | null = null;
  const table = readRosterTable(rosterFile, file, bytes, problems, (row, header) => {
    cells ??= new RowCells(rosterFile, header, problems.warnings);
    cells.moveTo(row);
    rows.rowCount++;
    readRow(rosterFile, cells, kind, rows, build);
  });
  rows.complete = table.usable;
  // Lines the CSV reader could not split into fields never reached a builder, but were rows too.
  rows.rowCount += table.skippedLines;
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
  if (!cells.hasHeaderWidth()) {
    // Cells cannot be trusted to sit under their headers. The sourcedId is kept where the row reaches
    // it, so that references to the row are skipped without being reported too.
    cells.fail(`the row has ${cells.width} fields but the header has ${cells.headerWidth}`);
    const sourcedId = cells.reaches('sourcedId') ? cells.text('sourcedId') : '';
    if (sourcedId && !rows.active.has(sourcedId)) rows.invalid.set(sourcedId, line);
    return;
  }
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

  const status = readStatus(cells, kind);
  if (status === 'tobedeleted') {
    // A bulk file is the whole truth: a row it marks tobedeleted is simply not part of it.
    if (kind === 'bulk') rows.invalid.set(sourcedId, line);
    else rows.deleted.set(sourcedId, { line, sourcedId, cell: cells.detach() });
    return;
  }
  for (const column of REQUIRED_VALUES[rosterFile]) {
    if (!cells.text(column) && cells.has(column)) cells.fail(`${column} is required`);
  }
  const built = build(cells, { line, sourcedId });
  if (built && cells.valid) rows.active.set(sourcedId, built);
  else rows.invalid.set(sourcedId, line);
}

/**
 * The spec wants status blank in bulk files; exports fill it with `active` (or `tobedeleted`) as often
 * as not, and their meaning is clear, so any letter case of either is read in both kinds.
 */
function readStatus(cells: RowCells, kind: ImportKind): 'active' | 'tobedeleted' | null {
  if (kind === 'delta') {
    if (!cells.text('dateLastModified')) cells.fail('dateLastModified is required in a delta file');
    else cells.dateTime('dateLastModified');
    if (!cells.text('status')) {
      cells.fail('status is required in a delta file (active or tobedeleted)');
      return null;
    }
  } else if (!cells.text('status')) {
    return 'active';
  }
  return cells.enumValue('status', ROW_STATUSES);
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

/** A user's role and orgs as OneRoster 1.2's roles.csv gives them; role null when they contradict. */
export interface UserRoles {
  role: OneRosterUserRole | null;
  /** The orgs of the deciding role first. */
  orgSourcedIds: string[];
}

/**
 * One role per user: the primary one, or the only one. Several roles and no single primary one are
 * doubtful (is this person a teacher or a parent?): the user gets no role and is skipped.
 */
export function rolesOfUsers(roles: FileRows<RoleRow>): Map<string, UserRoles> {
  const byUser = new Map<string, RoleRow[]>();
  for (const row of roles.active.values()) {
    const rows = byUser.get(row.userSourcedId);
    if (rows) rows.push(row);
    else byUser.set(row.userSourcedId, [row]);
  }
  const result = new Map<string, UserRoles>();
  for (const [user, rows] of byUser) {
    const primary = rows.filter((row) => row.primary);
    const deciding = primary.length > 0 ? primary : rows;
    const role = deciding.every((row) => row.role === deciding[0].role) ? deciding[0].role : null;
    const orgs = new Set(deciding.map((row) => row.orgSourcedId));
    for (const row of rows) orgs.add(row.orgSourcedId);
    result.set(user, { role, orgSourcedIds: [...orgs] });
  }
  return result;
}

export const readRole: RowBuilder<RoleRow> = (cells, base) => {
  const role = cells.enumValue('role', USER_ROLES);
  const roleType = cells.enumValue('roleType', ROLE_TYPES);
  cells.date('beginDate');
  cells.date('endDate');
  return (
    role && {
      line: base.line,
      sourcedId: base.sourcedId,
      userSourcedId: cells.text('userSourcedId'),
      primary: roleType === 'primary',
      role,
      orgSourcedId: cells.text('orgSourcedId'),
    }
  );
};

/**
 * Users as 1.1 writes them; 1.0 files have no enabledUser (everyone listed was enabled), 1.2 files
 * no role nor orgSourcedIds (they come from roles.csv, through `roles`).
 */
export function userReader(roles: ReadonlyMap<string, UserRoles> | null): RowBuilder<UserRow> {
  return (cells, base) => {
    const enabled = cells.has('enabledUser') ? cells.boolean('enabledUser') : true;
    const preferredLanguage = cells.language(PREFERRED_LANGUAGE_COLUMN);
    let role: OneRosterUserRole | null;
    let orgSourcedIds: string[];
    if (cells.has('role') || !roles) {
      role = cells.enumValue('role', USER_ROLES);
      if (!cells.has('role')) cells.fail('users.csv has no role column and the export has no roles.csv');
      orgSourcedIds = cells.list('orgSourcedIds');
      if (cells.text('orgSourcedIds') && orgSourcedIds.length === 0) cells.fail('orgSourcedIds lists no org');
    } else {
      const held = roles.get(base.sourcedId);
      role = held?.role ?? null;
      orgSourcedIds = held?.orgSourcedIds ?? [];
      if (!held) cells.fail('roles.csv gives this user no role');
      else if (role === null) cells.fail('roles.csv gives this user several roles and no single primary one');
    }
    if (enabled === null || role === null) return null;
    return {
      line: base.line,
      sourcedId: base.sourcedId,
      enabled,
      orgSourcedIds,
      role,
      username: canonicalUsername(cells.text('username')),
      givenName: cells.text('givenName'),
      familyName: cells.text('familyName'),
      email: cells.optional('email'),
      agentSourcedIds: cells.list('agentSourcedIds'),
      preferredLanguage,
    };
  };
}

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
