/**
 * Facts from the OneRoster 1.1 CSV binding that the parser enforces: the column order of every file
 * Homeroom reads, the columns that must hold a value, and the enumerations.
 */

export const ROSTER_FILES = [
  'orgs',
  'academicSessions',
  'courses',
  'classes',
  'users',
  'enrollments',
] as const;
export type RosterFile = (typeof ROSTER_FILES)[number];

/** Homeroom cannot replace a district's roster without these: a bulk import must carry all four. */
export const FILES_REQUIRED_IN_BULK: readonly RosterFile[] = ['orgs', 'users', 'classes', 'enrollments'];

/**
 * The other files a OneRoster 1.1 manifest may declare. Homeroom never opens them: demographics holds
 * birth dates and ethnicity, the rest is gradebook and resource data.
 */
export const IGNORED_ONEROSTER_FILES = [
  'demographics',
  'categories',
  'classResources',
  'courseResources',
  'lineItems',
  'resources',
  'results',
] as const;

export const COLUMNS: Readonly<Record<RosterFile, readonly string[]>> = {
  orgs: ['sourcedId', 'status', 'dateLastModified', 'name', 'type', 'identifier', 'parentSourcedId'],
  academicSessions: [
    'sourcedId',
    'status',
    'dateLastModified',
    'title',
    'type',
    'startDate',
    'endDate',
    'parentSourcedId',
    'schoolYear',
  ],
  courses: [
    'sourcedId',
    'status',
    'dateLastModified',
    'schoolYearSourcedId',
    'title',
    'courseCode',
    'grades',
    'orgSourcedId',
    'subjects',
    'subjectCodes',
  ],
  classes: [
    'sourcedId',
    'status',
    'dateLastModified',
    'title',
    'grades',
    'courseSourcedId',
    'classCode',
    'classType',
    'location',
    'schoolSourcedId',
    'termSourcedIds',
    'subjects',
    'subjectCodes',
    'periods',
  ],
  users: [
    'sourcedId',
    'status',
    'dateLastModified',
    'enabledUser',
    'orgSourcedIds',
    'role',
    'username',
    'userIds',
    'givenName',
    'familyName',
    'middleName',
    'identifier',
    'email',
    'sms',
    'phone',
    'agentSourcedIds',
    'grades',
    'password',
  ],
  enrollments: [
    'sourcedId',
    'status',
    'dateLastModified',
    'classSourcedId',
    'schoolSourcedId',
    'userSourcedId',
    'role',
    'primary',
    'beginDate',
    'endDate',
  ],
};

/** Columns that must hold a value on every active row (sourcedId is checked for every row). */
export const REQUIRED_VALUES: Readonly<Record<RosterFile, readonly string[]>> = {
  orgs: ['name', 'type'],
  academicSessions: ['title', 'type', 'startDate', 'endDate', 'schoolYear'],
  courses: ['title', 'orgSourcedId'],
  classes: ['title', 'courseSourcedId', 'classType', 'schoolSourcedId', 'termSourcedIds'],
  users: ['enabledUser', 'orgSourcedIds', 'role', 'username', 'givenName', 'familyName'],
  enrollments: ['classSourcedId', 'schoolSourcedId', 'userSourcedId', 'role'],
};

export const METADATA_COLUMN_PREFIX = 'metadata.';
/** The extension column a SIS may use to tell Homeroom a user's language. */
export const PREFERRED_LANGUAGE_COLUMN = 'metadata.preferredLanguage';

export const ORG_TYPES = ['department', 'school', 'district', 'local', 'state', 'national'] as const;
export type OrgType = (typeof ORG_TYPES)[number];

export const SESSION_TYPES = ['gradingPeriod', 'semester', 'schoolYear', 'term'] as const;

export const CLASS_TYPES = ['homeroom', 'scheduled'] as const;

export const USER_ROLES = [
  'teacher',
  'student',
  'parent',
  'guardian',
  'relative',
  'aide',
  'administrator',
] as const;
export type OneRosterUserRole = (typeof USER_ROLES)[number];

export const ENROLLMENT_ROLES = ['teacher', 'student', 'administrator', 'proctor'] as const;
export type OneRosterEnrollmentRole = (typeof ENROLLMENT_ROLES)[number];

export const MANIFEST_FILE_MODES = ['absent', 'bulk', 'delta'] as const;
export type ManifestFileMode = (typeof MANIFEST_FILE_MODES)[number];

export const MANIFEST_VERSION = '1.0';
export const ONEROSTER_VERSION = '1.1';

export function csvFileName(file: RosterFile | (typeof IGNORED_ONEROSTER_FILES)[number]): string {
  return `${file}.csv`;
}

export function isOneOf<T extends string>(values: readonly T[], value: string): value is T {
  return (values as readonly string[]).includes(value);
}
