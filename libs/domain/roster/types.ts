import type { OneRosterUserRole } from './oneroster-spec';

/**
 * One problem found in an export. `file` is the CSV's name inside the zip (`users.csv`), the entry
 * name for archive-level problems with one entry, or {@link ARCHIVE_FILE} for the zip as a whole.
 * `line` is the 1-based physical line (the header is line 1); 0 means the whole file.
 * Messages name columns, values of enumerations and sourcedIds, never names or contact details.
 */
export interface RosterFileError {
  file: string;
  line: number;
  message: string;
}

/** The `file` of errors about the archive itself (unreadable, too large, a zip bomb). */
export const ARCHIVE_FILE = '(zip archive)';

/** Homeroom roles that a roster import may assign. Admins are never created from an export. */
export type RosterRole = 'teacher' | 'student' | 'guardian';
export type RosterSectionRole = 'teacher' | 'student';

export interface RosterSchool {
  sourcedId: string;
  name: string;
}

export interface RosterSection {
  sourcedId: string;
  title: string;
  schoolSourcedId: string;
}

export interface RosterUser {
  sourcedId: string;
  role: RosterRole;
  /** The role as the SIS wrote it: parent, guardian and relative all become `guardian`. */
  sisRole: OneRosterUserRole;
  /** `enabledUser=false` in the export: the user is known but must not act nor be reached. */
  active: boolean;
  username: string;
  givenName: string;
  familyName: string;
  email: string | null;
  /** From the `metadata.preferredLanguage` extension column, normalised (`zh-tw` → `zh-TW`); null when blank. */
  preferredLanguage: string | null;
  /** The orgs (district, schools) the user belongs to, as listed. */
  orgSourcedIds: string[];
}

/**
 * One person's place in one section. Several enrollments of the same person in the same section with
 * the same role collapse into one membership (primary if any of them is); `sourcedId` is the first
 * enrollment's.
 */
export interface RosterMembership {
  sourcedId: string;
  sectionSourcedId: string;
  userSourcedId: string;
  role: RosterSectionRole;
  isPrimary: boolean;
  /** As written in the export (YYYY-MM-DD); the parser does not judge them against today. */
  beginDate: string | null;
  endDate: string | null;
}

export interface RosterGuardianLink {
  guardianSourcedId: string;
  studentSourcedId: string;
}

/** What the export held that gives nobody an account or access, for the import report. */
export interface RosterSkippedCounts {
  aideUsers: number;
  /** Administrators and the other staff roles of OneRoster 1.2 (principal, counselor, proctor…). */
  administratorUsers: number;
  administratorEnrollments: number;
  /** Proctor and (OneRoster 1.2) aide enrollments. */
  proctorEnrollments: number;
  /** teacher/student enrollments of an aide or an administrator user. */
  enrollmentsOfSkippedUsers: number;
}

/** A bulk export is the whole truth: whatever the database holds beyond it has left the roster. */
export interface RosterBulkSnapshot {
  kind: 'bulk';
  schools: RosterSchool[];
  sections: RosterSection[];
  users: RosterUser[];
  memberships: RosterMembership[];
  /** The union of links declared by `agentSourcedIds` on either side, each once. */
  guardianLinks: RosterGuardianLink[];
  skipped: RosterSkippedCounts;
}

export interface RosterMembershipDeletion {
  /** The enrollment's sourcedId. */
  sourcedId: string;
  /** Taken from the row when the SIS filled them in; a deletion row may carry only its sourcedId. */
  sectionSourcedId: string | null;
  userSourcedId: string | null;
}

/**
 * A reference a delta makes to something it does not itself carry. The parser cannot know whether
 * the database has it: the importer must check each one and refuse the delta if one is missing.
 * Each (kind, sourcedId, expectedRole) appears once, with the first file and line that needed it.
 */
export interface RosterUnresolvedReference {
  /**
   * `school`: a class's school; `section`: an enrollment's class; `user`: an enrollment's user or a
   * link's other side. A user's orgSourcedIds are not checked in a delta: Homeroom keeps no orgs but
   * schools, so the district org could never resolve.
   */
  kind: 'school' | 'section' | 'user';
  sourcedId: string;
  /** For users: the role the existing user must have (the enrollment's role, or the other side of a link). */
  expectedRole: RosterRole | null;
  file: string;
  line: number;
}

/**
 * A delta carries changed rows only: `status=active` rows are upserts, `status=tobedeleted` rows
 * deletions. Deleting a user or a section implies deleting its memberships and links; the delta need
 * not (and usually does not) list those.
 */
export interface RosterDeltaSnapshot {
  kind: 'delta';
  upserts: {
    schools: RosterSchool[];
    sections: RosterSection[];
    users: RosterUser[];
    memberships: RosterMembership[];
    guardianLinks: RosterGuardianLink[];
  };
  deletions: {
    /** Every org the delta deletes, of any type: those that are not a known school can be ignored. */
    orgs: string[];
    sections: string[];
    users: string[];
    memberships: RosterMembershipDeletion[];
  };
  /**
   * Students and guardians whose row the delta restates. A row restates the user's whole
   * `agentSourcedIds` list, so after the delta the links of each of these users are exactly the
   * `upserts.guardianLinks` naming them; any other link of theirs has to go. Where the SIS declares a
   * link only on the other person's row this drops it until that row is restated or the next bulk
   * import: the safe direction, since a custody change must never leave a guardian connected.
   */
  linkSetsRestatedFor: string[];
  unresolvedReferences: RosterUnresolvedReference[];
  skipped: RosterSkippedCounts;
}

export type RosterSnapshot = RosterBulkSnapshot | RosterDeltaSnapshot;

/**
 * `errors`: the export is refused and nothing applies. `warnings`: rows that were skipped (file and
 * line) and tolerances used (line 1: the header, line 0: the file or archive); the rest applies.
 */
export type RosterParseResult =
  | { ok: true; kind: 'bulk'; snapshot: RosterBulkSnapshot; warnings: RosterFileError[] }
  | { ok: true; kind: 'delta'; snapshot: RosterDeltaSnapshot; warnings: RosterFileError[] }
  | { ok: false; errors: RosterFileError[] };

export interface RosterParseOptions {
  /** Refuse archives declaring more than this many uncompressed bytes in total. Default 512 MiB. */
  maxUncompressedBytes?: number;
  /** Refuse archives with more entries than this. Default 1,000. */
  maxEntries?: number;
}
