import type { OneRosterUserRole } from './oneroster-spec';
import type { ClassRow, EnrollmentRow, FileRows, ImportKind, OrgRow, RowBase, UserRow } from './row-readers';
import type {
  RosterBulkSnapshot,
  RosterDeltaSnapshot,
  RosterFileError,
  RosterGuardianLink,
  RosterMembership,
  RosterRole,
  RosterSchool,
  RosterSection,
  RosterSkippedCounts,
  RosterUnresolvedReference,
  RosterUser,
} from './types';

export interface RosterRows {
  kind: ImportKind;
  orgs: FileRows<OrgRow>;
  classes: FileRows<ClassRow>;
  users: FileRows<UserRow>;
  enrollments: FileRows<EnrollmentRow>;
}

/**
 * The Homeroom role of a SIS role, or null for people who get no account: aides and proctors are not
 * messaging parties, and SIS administrators are not made admins by an export, because admin rights
 * (reading conversations, importing rosters) are granted deliberately by an operator, never by
 * whoever can edit a CSV.
 */
export function homeroomRole(role: OneRosterUserRole): RosterRole | null {
  switch (role) {
    case 'teacher':
    case 'student':
      return role;
    case 'parent':
    case 'guardian':
    case 'relative':
      return 'guardian';
    case 'aide':
    case 'administrator':
    case 'counselor':
    case 'districtAdministrator':
    case 'principal':
    case 'proctor':
    case 'siteAdministrator':
    case 'systemAdministrator':
      return null;
  }
}

/** What skipping a dangling reference costs, by the column that holds it. */
const CONSEQUENCE: Readonly<Record<string, string>> = {
  schoolSourcedId: 'the class is skipped',
  classSourcedId: 'the enrollment is skipped',
  userSourcedId: 'the enrollment is skipped',
  orgSourcedIds: 'that org is ignored for this user',
  agentSourcedIds: 'that link is skipped',
};

/** The referenced row; `invalid` when that row was skipped (already reported) or is absent by status;
 * `external` when a delta leaves it to the database; `stop` when the reference dangles (reported). */
type Resolution<T> = T | 'invalid' | 'external' | 'stop';

/**
 * Resolves references inside the export; a delta hands what it cannot resolve to the importer. Every
 * problem here is a warning about the referring row, which is then skipped: a reference that cannot be
 * resolved inside the export grants nothing.
 */
class References {
  readonly unresolved = new Map<string, RosterUnresolvedReference>();

  constructor(
    private readonly kind: ImportKind,
    private readonly warnings: RosterFileError[],
  ) {}

  resolve<T extends RowBase>(
    target: FileRows<T>,
    sourcedId: string,
    site: { file: string; line: number; column: string },
    unresolved: Pick<RosterUnresolvedReference, 'kind' | 'expectedRole'> | null,
  ): Resolution<T> {
    const row = target.active.get(sourcedId);
    if (row) return row;
    if (target.invalid.has(sourcedId)) return 'invalid';
    const deleted = target.deleted.get(sourcedId);
    if (deleted) {
      this.report(
        site,
        `${site.column} '${sourcedId}' is deleted by this delta (${target.file} line ${deleted.line}): ${CONSEQUENCE[site.column]}`,
      );
      return 'stop';
    }
    if (this.kind === 'bulk') {
      this.report(
        site,
        `${site.column} '${sourcedId}' is not in ${target.file}: ${CONSEQUENCE[site.column]}`,
      );
      return 'stop';
    }
    if (unresolved) {
      const key = `${unresolved.kind}\u0000${sourcedId}\u0000${unresolved.expectedRole}`;
      if (!this.unresolved.has(key)) {
        this.unresolved.set(key, { ...unresolved, sourcedId, file: site.file, line: site.line });
      }
    }
    return 'external';
  }

  report(site: { file: string; line: number }, message: string): void {
    this.warnings.push({ file: site.file, line: site.line, message });
  }
}

function emptySkipped(): RosterSkippedCounts {
  return {
    aideUsers: 0,
    administratorUsers: 0,
    administratorEnrollments: 0,
    proctorEnrollments: 0,
    enrollmentsOfSkippedUsers: 0,
  };
}

interface Projection {
  schools: RosterSchool[];
  sections: RosterSection[];
  users: RosterUser[];
  memberships: RosterMembership[];
  guardianLinks: RosterGuardianLink[];
  skipped: RosterSkippedCounts;
}

function project(rows: RosterRows, references: References): Projection {
  const skipped = emptySkipped();
  return {
    schools: [...rows.orgs.active.values()]
      .filter((org) => org.type === 'school')
      .map((org) => ({ sourcedId: org.sourcedId, name: org.name })),
    sections: projectSections(rows, references),
    users: projectUsers(rows, references, skipped),
    guardianLinks: projectGuardianLinks(rows, references),
    memberships: projectMemberships(rows, references, skipped),
    skipped,
  };
}

/**
 * Takes a row the projection skips out of the rows others refer to, so that what names it (an
 * enrollment in a skipped class, a link to a skipped user) is skipped too, without another warning.
 */
function setAside<T extends RowBase>(rows: FileRows<T>, row: T): void {
  rows.active.delete(row.sourcedId);
  rows.invalid.set(row.sourcedId, row.line);
}

function projectSections(rows: RosterRows, references: References): RosterSection[] {
  const sections: RosterSection[] = [];
  for (const section of rows.classes.active.values()) {
    const site = { file: rows.classes.file, line: section.line, column: 'schoolSourcedId' };
    const school = references.resolve(rows.orgs, section.schoolSourcedId, site, {
      kind: 'school',
      expectedRole: null,
    });
    if (school === 'stop' || school === 'invalid') {
      setAside(rows.classes, section);
      continue;
    }
    if (school !== 'external' && school.type !== 'school') {
      references.report(
        site,
        `schoolSourcedId '${section.schoolSourcedId}' is an org of type ${school.type}, not a school: the class is skipped`,
      );
      setAside(rows.classes, section);
      continue;
    }
    sections.push({
      sourcedId: section.sourcedId,
      title: section.title,
      schoolSourcedId: section.schoolSourcedId,
    });
  }
  return sections;
}

function projectUsers(rows: RosterRows, references: References, skipped: RosterSkippedCounts): RosterUser[] {
  const users: RosterUser[] = [];
  const usernames = new Map<string, UserRow>();
  for (const user of rows.users.active.values()) {
    let orgSourcedIds = user.orgSourcedIds;
    if (rows.kind === 'bulk') {
      // An org outside the export is dropped from the user's list: it would place them in a school
      // the export does not vouch for.
      const site = { file: rows.users.file, line: user.line, column: 'orgSourcedIds' };
      let dangling = false;
      for (const org of user.orgSourcedIds) {
        if (typeof references.resolve(rows.orgs, org, site, null) !== 'object') dangling = true;
      }
      if (dangling) orgSourcedIds = orgSourcedIds.filter((org) => rows.orgs.active.has(org));
    }
    const role = homeroomRole(user.role);
    if (role === null) {
      if (user.role === 'aide') skipped.aideUsers++;
      else skipped.administratorUsers++;
      continue;
    }
    const holder = usernames.get(user.username);
    if (holder) {
      references.report(
        { file: rows.users.file, line: user.line },
        `username is already used by sourcedId '${holder.sourcedId}' (line ${holder.line}): the user is skipped`,
      );
      setAside(rows.users, user);
      continue;
    }
    usernames.set(user.username, user);
    users.push({
      sourcedId: user.sourcedId,
      role,
      sisRole: user.role,
      active: user.enabled,
      username: user.username,
      givenName: user.givenName,
      familyName: user.familyName,
      email: user.email,
      preferredLanguage: user.preferredLanguage,
      orgSourcedIds,
    });
  }
  return users;
}

function projectGuardianLinks(rows: RosterRows, references: References): RosterGuardianLink[] {
  const links: RosterGuardianLink[] = [];
  const studentsOf = new Map<string, Set<string>>();
  const addLink = (guardianSourcedId: string, studentSourcedId: string) => {
    let students = studentsOf.get(guardianSourcedId);
    if (!students) studentsOf.set(guardianSourcedId, (students = new Set()));
    if (students.has(studentSourcedId)) return;
    students.add(studentSourcedId);
    links.push({ guardianSourcedId, studentSourcedId });
  };

  for (const user of rows.users.active.values()) {
    if (user.agentSourcedIds.length === 0) continue;
    const site = { file: rows.users.file, line: user.line, column: 'agentSourcedIds' };
    const declaring = homeroomRole(user.role);
    if (declaring !== 'student' && declaring !== 'guardian') {
      references.report(
        site,
        `agentSourcedIds is set on a ${user.role}: only students and guardians (parent, guardian, relative) are linked`,
      );
      continue;
    }
    const expectedRole = declaring === 'student' ? 'guardian' : 'student';
    for (const agentId of user.agentSourcedIds) {
      const agent = references.resolve(rows.users, agentId, site, { kind: 'user', expectedRole });
      if (agent === 'stop' || agent === 'invalid') continue;
      if (agent !== 'external' && homeroomRole(agent.role) !== expectedRole) {
        references.report(
          site,
          `agentSourcedIds links this ${user.role} to '${agentId}', a ${agent.role}: only a guardian (parent, guardian, relative) and a student can be linked`,
        );
        continue;
      }
      if (declaring === 'student') addLink(agentId, user.sourcedId);
      else addLink(user.sourcedId, agentId);
    }
  }
  return links;
}

function projectMemberships(
  rows: RosterRows,
  references: References,
  skipped: RosterSkippedCounts,
): RosterMembership[] {
  const memberships: RosterMembership[] = [];
  const bySection = new Map<string, Map<string, { membership: RosterMembership; line: number }>>();
  for (const enrollment of rows.enrollments.active.values()) {
    const file = rows.enrollments.file;
    const role = enrollment.role;
    const takesPart = role === 'teacher' || role === 'student';
    // A delta's administrator/proctor/aide enrollments name people Homeroom never imported: nothing to resolve.
    if (takesPart || rows.kind === 'bulk') {
      const section = references.resolve(
        rows.classes,
        enrollment.classSourcedId,
        { file, line: enrollment.line, column: 'classSourcedId' },
        { kind: 'section', expectedRole: null },
      );
      const user = references.resolve(
        rows.users,
        enrollment.userSourcedId,
        { file, line: enrollment.line, column: 'userSourcedId' },
        takesPart ? { kind: 'user', expectedRole: role } : null,
      );
      if (section === 'stop' || user === 'stop' || section === 'invalid' || user === 'invalid') continue;
      if (takesPart && user !== 'external') {
        const userRole = homeroomRole(user.role);
        if (userRole === null) {
          skipped.enrollmentsOfSkippedUsers++;
          continue;
        }
        if (userRole !== role) {
          references.report(
            { file, line: enrollment.line },
            `role ${role} contradicts the role of user '${enrollment.userSourcedId}' in users.csv (${user.role}): the enrollment is skipped`,
          );
          continue;
        }
      }
    }
    if (role === 'administrator') skipped.administratorEnrollments++;
    if (role === 'proctor' || role === 'aide') skipped.proctorEnrollments++;
    if (!takesPart) continue;

    let inSection = bySection.get(enrollment.classSourcedId);
    if (!inSection) bySection.set(enrollment.classSourcedId, (inSection = new Map()));
    const existing = inSection.get(enrollment.userSourcedId);
    if (existing) {
      if (existing.membership.role !== role) {
        references.report(
          { file, line: enrollment.line },
          `user '${enrollment.userSourcedId}' is already enrolled in class '${enrollment.classSourcedId}' as ${existing.membership.role} (line ${existing.line})`,
        );
      } else if (enrollment.primary) {
        existing.membership.isPrimary = true;
      }
      continue;
    }
    const membership: RosterMembership = {
      sourcedId: enrollment.sourcedId,
      sectionSourcedId: enrollment.classSourcedId,
      userSourcedId: enrollment.userSourcedId,
      role,
      isPrimary: enrollment.primary,
      beginDate: enrollment.beginDate,
      endDate: enrollment.endDate,
    };
    inSection.set(enrollment.userSourcedId, { membership, line: enrollment.line });
    memberships.push(membership);
  }
  return memberships;
}

export function buildBulkSnapshot(rows: RosterRows, warnings: RosterFileError[]): RosterBulkSnapshot {
  const projection = project(rows, new References('bulk', warnings));
  return { kind: 'bulk', ...projection };
}

export function buildDeltaSnapshot(rows: RosterRows, warnings: RosterFileError[]): RosterDeltaSnapshot {
  const references = new References('delta', warnings);
  const { skipped, ...upserts } = project(rows, references);
  return {
    kind: 'delta',
    upserts,
    deletions: {
      orgs: [...rows.orgs.deleted.keys()],
      sections: [...rows.classes.deleted.keys()],
      users: [...rows.users.deleted.keys()],
      memberships: [...rows.enrollments.deleted.values()].map((row) => ({
        sourcedId: row.sourcedId,
        sectionSourcedId: row.cell('classSourcedId'),
        userSourcedId: row.cell('userSourcedId'),
      })),
    },
    linkSetsRestatedFor: [...rows.users.active.values()]
      .filter((user) => {
        const role = homeroomRole(user.role);
        return role === 'student' || role === 'guardian';
      })
      .map((user) => user.sourcedId),
    unresolvedReferences: [...references.unresolved.values()],
    skipped,
  };
}
