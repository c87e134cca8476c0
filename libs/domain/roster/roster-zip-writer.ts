import { strToU8, zipSync, type Zippable } from 'fflate';
import { toCsv } from './csv-writer';
import {
  COLUMNS,
  PREFERRED_LANGUAGE_COLUMN,
  ROSTER_FILES,
  csvFileName,
  type RosterFile,
} from './oneroster-spec';
import type { ModelUser, RosterModel } from './roster-model';

/** Appears in every cell of the generated demographics.csv: it must never show up in a snapshot. */
export const DEMOGRAPHICS_MARKER = 'DEMOGRAPHIC-SECRET';

const USER_COLUMNS = [...COLUMNS.users, PREFERRED_LANGUAGE_COLUMN];
const STATUS = 1;
const DATE_LAST_MODIFIED = 2;

/** A row's cells in spec order, status and dateLastModified blank, keyed by sourcedId. */
type FileRows = Map<string, string[]>;

/** The generator writes OneRoster 1.1, which has no roles.csv. */
type WrittenFile = Exclude<RosterFile, 'roles'>;
const WRITTEN_FILES = ROSTER_FILES.filter((file): file is WrittenFile => file !== 'roles');

function headerOf(file: WrittenFile): readonly string[] {
  return file === 'users' ? USER_COLUMNS : COLUMNS[file];
}

/** The model as OneRoster rows, file by file, in a stable order. */
export function modelRows(model: RosterModel): Record<WrittenFile, FileRows> {
  const keyed = (rows: string[][]): FileRows => new Map(rows.map((row) => [row[0], row]));
  const agents = agentsByUser(model);
  return {
    orgs: keyed(
      model.orgs.map((org) => [
        org.sourcedId,
        '',
        '',
        org.name,
        org.type,
        org.sourcedId.toUpperCase(),
        org.parentSourcedId ?? '',
      ]),
    ),
    academicSessions: keyed([
      [
        model.term.sourcedId,
        '',
        '',
        model.term.title,
        'schoolYear',
        model.term.startDate,
        model.term.endDate,
        '',
        model.term.schoolYear,
      ],
    ]),
    courses: keyed(
      model.courses.map((course) => [
        course.sourcedId,
        '',
        '',
        model.term.sourcedId,
        course.title,
        course.sourcedId.toUpperCase(),
        '',
        course.schoolSourcedId,
        '',
        '',
      ]),
    ),
    classes: keyed(
      model.sections.map((section) => [
        section.sourcedId,
        '',
        '',
        section.title,
        '',
        section.courseSourcedId,
        section.sourcedId.toUpperCase(),
        'scheduled',
        '',
        section.schoolSourcedId,
        model.term.sourcedId,
        '',
        '',
        '',
      ]),
    ),
    users: keyed(model.users.map((user) => userRow(user, agents.get(user.sourcedId) ?? []))),
    enrollments: keyed(
      model.enrollments.map((enrollment) => [
        enrollment.sourcedId,
        '',
        '',
        enrollment.sectionSourcedId,
        enrollment.schoolSourcedId,
        enrollment.userSourcedId,
        enrollment.role,
        enrollment.primary ? 'true' : 'false',
        '',
        '',
      ]),
    ),
  };
}

function userRow(user: ModelUser, agentSourcedIds: string[]): string[] {
  return [
    user.sourcedId,
    '',
    '',
    user.enabled ? 'true' : 'false',
    user.orgSourcedIds.join(','),
    user.role,
    user.username,
    '',
    user.givenName,
    user.familyName,
    '',
    user.sourcedId.toUpperCase(),
    user.email ?? '',
    '',
    user.phone ?? '',
    agentSourcedIds.join(','),
    user.grades ?? '',
    '',
    user.preferredLanguage ?? '',
  ];
}

function agentsByUser(model: RosterModel): Map<string, string[]> {
  const agents = new Map<string, string[]>();
  const add = (user: string, agent: string) => {
    const list = agents.get(user);
    if (list) list.push(agent);
    else agents.set(user, [agent]);
  };
  for (const link of model.guardianLinks) {
    if (link.declaredOn !== 'guardian') add(link.studentSourcedId, link.guardianSourcedId);
    if (link.declaredOn !== 'student') add(link.guardianSourcedId, link.studentSourcedId);
  }
  return agents;
}

function manifest(modes: Record<string, 'absent' | 'bulk' | 'delta'>): string {
  const rows = [
    ['manifest.version', '1.0'],
    ['oneroster.version', '1.1'],
    ['source.systemName', 'Homeroom synthetic roster'],
    ...Object.entries(modes).map(([file, mode]) => [`file.${file}`, mode]),
  ];
  return toCsv(['propertyName', 'value'], rows);
}

function demographicsCsv(model: RosterModel): string {
  const header = [
    'sourcedId',
    'status',
    'dateLastModified',
    'birthDate',
    'sex',
    'americanIndianOrAlaskaNative',
  ];
  // Junk on purpose: an unknown column, values no validator would pass, an unclosed quote at the end.
  const rows = model.users
    .filter((user) => user.role === 'student')
    .map((user) => [
      user.sourcedId,
      'bogus',
      'yesterday',
      `${DEMOGRAPHICS_MARKER}-${user.sourcedId}`,
      '??',
      'maybe',
    ]);
  return `${toCsv([...header, DEMOGRAPHICS_MARKER], rows, model.format.bom)}"${DEMOGRAPHICS_MARKER}`;
}

/** A OneRoster 1.1 bulk export of the model: manifest and the six files (plus demographics if asked). */
export function writeRosterZip(model: RosterModel): Uint8Array {
  const rows = modelRows(model);
  const files: Zippable = {};
  const modes: Record<string, 'absent' | 'bulk' | 'delta'> = {};
  for (const file of WRITTEN_FILES) {
    modes[file] = 'bulk';
    files[csvFileName(file)] = strToU8(toCsv(headerOf(file), [...rows[file].values()], model.format.bom));
  }
  modes.demographics = model.format.demographics ? 'bulk' : 'absent';
  if (model.format.demographics) files['demographics.csv'] = strToU8(demographicsCsv(model));
  files['manifest.csv'] = strToU8(manifest(modes));
  return zipSync(files, { level: 6 });
}

/**
 * A OneRoster 1.1 delta export taking `before` to `after`: changed or new rows with status active,
 * vanished rows restated with status tobedeleted; files without changes are listed absent.
 */
export function writeDeltaZip(
  before: RosterModel,
  after: RosterModel,
  options: { dateLastModified: string } = { dateLastModified: '2025-09-01T12:00:00Z' },
): Uint8Array {
  const beforeRows = modelRows(before);
  const afterRows = modelRows(after);
  const files: Zippable = {};
  const modes: Record<string, 'absent' | 'bulk' | 'delta'> = {};
  for (const file of WRITTEN_FILES) {
    const changed: string[][] = [];
    for (const [sourcedId, row] of afterRows[file]) {
      const previous = beforeRows[file].get(sourcedId);
      if (!previous || previous.join('\u0000') !== row.join('\u0000')) {
        changed.push(withStatus(row, 'active', options.dateLastModified));
      }
    }
    for (const [sourcedId, row] of beforeRows[file]) {
      if (!afterRows[file].has(sourcedId))
        changed.push(withStatus(row, 'tobedeleted', options.dateLastModified));
    }
    modes[file] = changed.length > 0 ? 'delta' : 'absent';
    if (changed.length > 0)
      files[csvFileName(file)] = strToU8(toCsv(headerOf(file), changed, after.format.bom));
  }
  if (Object.values(modes).every((mode) => mode === 'absent')) {
    throw new Error('the two models hold the same roster: a delta needs at least one change');
  }
  modes.demographics = 'absent';
  files['manifest.csv'] = strToU8(manifest(modes));
  return zipSync(files, { level: 6 });
}

function withStatus(row: string[], status: 'active' | 'tobedeleted', dateLastModified: string): string[] {
  const copy = [...row];
  copy[STATUS] = status;
  copy[DATE_LAST_MODIFIED] = dateLastModified;
  return copy;
}
