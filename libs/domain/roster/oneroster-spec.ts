/**
 * Facts from the OneRoster CSV bindings (1.1, with the 1.0 and 1.2 differences Homeroom reads): the
 * columns of every file Homeroom reads, the columns that must hold a value, and the enumerations.
 */

export const ROSTER_FILES = [
  'orgs',
  'academicSessions',
  'courses',
  'classes',
  'users',
  'enrollments',
  /** OneRoster 1.2 moved each user's roles and orgs from users.csv into this file. */
  'roles',
] as const;
export type RosterFile = (typeof ROSTER_FILES)[number];

/** Homeroom cannot replace a district's roster without these: a bulk import must carry all four. */
export const FILES_REQUIRED_IN_BULK: readonly RosterFile[] = ['orgs', 'users', 'classes', 'enrollments'];

/**
 * Files that add nothing Homeroom needs: a bulk export may leave them out (or list them and not ship
 * them) and still be whole.
 */
export const OPTIONAL_ROSTER_FILES: readonly RosterFile[] = ['academicSessions', 'courses', 'roles'];

/**
 * The other files a OneRoster 1.1 or 1.2 manifest may declare. Homeroom never opens them: demographics
 * holds birth dates and ethnicity, userProfiles holds credentials, the rest is gradebook and resource data.
 */
export const IGNORED_ONEROSTER_FILES = [
  'demographics',
  'categories',
  'classResources',
  'courseResources',
  'lineItems',
  'resources',
  'results',
  'userProfiles',
  'scoreScales',
  'lineItemLearningObjectiveIds',
  'lineItemScoreScales',
  'resultLearningObjectiveIds',
  'resultScoreScales',
  'userResources',
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
  roles: [
    'sourcedId',
    'status',
    'dateLastModified',
    'userSourcedId',
    'roleType',
    'role',
    'beginDate',
    'endDate',
    'orgSourcedId',
    'userProfileSourcedId',
  ],
};

/**
 * Columns a file must have for Homeroom to read it, in any order. The others may be missing (OneRoster
 * 1.0 has no enabledUser, 1.2 keeps role and orgSourcedIds in roles.csv) and then read as blank.
 */
export const REQUIRED_COLUMNS: Readonly<Record<RosterFile, readonly string[]>> = {
  orgs: ['sourcedId', 'name', 'type'],
  academicSessions: ['sourcedId'],
  courses: ['sourcedId'],
  classes: ['sourcedId', 'title', 'schoolSourcedId'],
  users: ['sourcedId', 'username', 'givenName', 'familyName'],
  enrollments: ['sourcedId', 'classSourcedId', 'userSourcedId', 'role'],
  roles: ['sourcedId', 'userSourcedId', 'role', 'orgSourcedId'],
};

/** OneRoster 1.0 column names (and 1.2 renames) that mean a 1.1 column. */
export const COLUMN_ALIASES: Readonly<Record<RosterFile, Readonly<Record<string, string>>>> = {
  orgs: {},
  academicSessions: {},
  courses: { schoolYearId: 'schoolYearSourcedId', grade: 'grades' },
  classes: { grade: 'grades', termSourcedId: 'termSourcedIds' },
  users: { userId: 'userIds', agents: 'agentSourcedIds' },
  enrollments: {},
  roles: {},
};

/** Columns of OneRoster 1.2 that Homeroom has no use for: ignored without a warning. */
export const KNOWN_UNUSED_COLUMNS: Readonly<Record<RosterFile, readonly string[]>> = {
  orgs: [],
  academicSessions: [],
  courses: [],
  classes: [],
  users: [
    'userMasterIdentifier',
    'resourceSourcedIds',
    'preferredGivenName',
    'preferredMiddleName',
    'preferredFamilyName',
    'primaryOrgSourcedId',
    'pronouns',
  ],
  enrollments: [],
  roles: [],
};

/** Columns that must hold a value on every active row (sourcedId is checked for every row). */
/**
 * Columns that must hold a value on every active row, where the file has the column (sourcedId is
 * checked for every row). Fewer than the spec requires: a class's course and terms, a course's org and
 * an enrollment's school grant nothing in Homeroom, so a row lacking them is still understood.
 */
export const REQUIRED_VALUES: Readonly<Record<RosterFile, readonly string[]>> = {
  orgs: ['name', 'type'],
  academicSessions: ['title', 'type', 'startDate', 'endDate'],
  courses: ['title'],
  classes: ['title', 'schoolSourcedId'],
  users: ['enabledUser', 'orgSourcedIds', 'role', 'username', 'givenName', 'familyName'],
  enrollments: ['classSourcedId', 'userSourcedId', 'role'],
  roles: ['userSourcedId', 'role', 'orgSourcedId'],
};

export const METADATA_COLUMN_PREFIX = 'metadata.';
/** The extension column a SIS may use to tell Homeroom a user's language. */
export const PREFERRED_LANGUAGE_COLUMN = 'metadata.preferredLanguage';

export const ORG_TYPES = ['department', 'school', 'district', 'local', 'state', 'national'] as const;
export type OrgType = (typeof ORG_TYPES)[number];

export const SESSION_TYPES = ['gradingPeriod', 'semester', 'schoolYear', 'term'] as const;

export const CLASS_TYPES = ['homeroom', 'scheduled'] as const;

/** 1.1's roles, then those 1.2 added (all staff who get no account from an export). */
export const USER_ROLES = [
  'teacher',
  'student',
  'parent',
  'guardian',
  'relative',
  'aide',
  'administrator',
  'counselor',
  'districtAdministrator',
  'principal',
  'proctor',
  'siteAdministrator',
  'systemAdministrator',
] as const;
export type OneRosterUserRole = (typeof USER_ROLES)[number];

/** roles.csv (1.2): a user's primary role decides; secondary roles are other hats at other orgs. */
export const ROLE_TYPES = ['primary', 'secondary'] as const;

export const ENROLLMENT_ROLES = ['teacher', 'student', 'administrator', 'proctor', 'aide'] as const;
export type OneRosterEnrollmentRole = (typeof ENROLLMENT_ROLES)[number];

export const MANIFEST_FILE_MODES = ['absent', 'bulk', 'delta'] as const;
export type ManifestFileMode = (typeof MANIFEST_FILE_MODES)[number];

export const MANIFEST_VERSION = '1.0';
/** The versions whose CSV binding Homeroom reads; 1.0 exports usually come without a manifest. */
export const ONEROSTER_VERSIONS = ['1.0', '1.1', '1.2'] as const;
export type OneRosterVersion = (typeof ONEROSTER_VERSIONS)[number];

/** Status values, case-insensitive: bulk rows are blank or active (tobedeleted = absent), delta rows either. */
export const ROW_STATUSES = ['active', 'tobedeleted'] as const;

export function csvFileName(file: RosterFile | (typeof IGNORED_ONEROSTER_FILES)[number]): string {
  return `${file}.csv`;
}

export function isOneOf<T extends string>(values: readonly T[], value: string): value is T {
  return (values as readonly string[]).includes(value);
}
