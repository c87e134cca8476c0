import type { OneRosterUserRole } from './oneroster-spec';
import type { RosterModel } from './roster-model';
import type { RosterBulkSnapshot, RosterRole, RosterSectionRole } from './types';

const ACCOUNT_ROLES: Partial<Record<OneRosterUserRole, RosterRole>> = {
  teacher: 'teacher',
  student: 'student',
  parent: 'guardian',
  guardian: 'guardian',
  relative: 'guardian',
};

/**
 * The snapshot a correct parser must produce from the model's bulk export, derived from the model's
 * facts (not from its CSV), so it can serve as the oracle in round-trip tests.
 */
export function expectedBulkSnapshot(model: RosterModel): RosterBulkSnapshot {
  const roleOf = new Map(model.users.map((user) => [user.sourcedId, user.role]));
  const accountHolders = model.users.filter((user) => ACCOUNT_ROLES[user.role]);
  const memberships = model.enrollments.filter(
    (enrollment) =>
      (enrollment.role === 'teacher' || enrollment.role === 'student') &&
      ACCOUNT_ROLES[roleOf.get(enrollment.userSourcedId) as OneRosterUserRole],
  );
  return {
    kind: 'bulk',
    schools: model.orgs
      .filter((org) => org.type === 'school')
      .map((org) => ({ sourcedId: org.sourcedId, name: org.name })),
    sections: model.sections.map((section) => ({
      sourcedId: section.sourcedId,
      title: section.title,
      schoolSourcedId: section.schoolSourcedId,
    })),
    users: accountHolders.map((user) => ({
      sourcedId: user.sourcedId,
      role: ACCOUNT_ROLES[user.role] as RosterRole,
      sisRole: user.role,
      active: user.enabled,
      username: user.username,
      givenName: user.givenName,
      familyName: user.familyName,
      email: user.email,
      preferredLanguage: user.preferredLanguage,
      orgSourcedIds: user.orgSourcedIds,
    })),
    memberships: memberships.map((enrollment) => ({
      sourcedId: enrollment.sourcedId,
      sectionSourcedId: enrollment.sectionSourcedId,
      userSourcedId: enrollment.userSourcedId,
      role: enrollment.role as RosterSectionRole,
      isPrimary: enrollment.primary,
      beginDate: null,
      endDate: null,
    })),
    guardianLinks: model.guardianLinks.map((link) => ({
      guardianSourcedId: link.guardianSourcedId,
      studentSourcedId: link.studentSourcedId,
    })),
    skipped: {
      aideUsers: model.users.filter((user) => user.role === 'aide').length,
      administratorUsers: model.users.filter((user) => user.role === 'administrator').length,
      administratorEnrollments: model.enrollments.filter((enrollment) => enrollment.role === 'administrator')
        .length,
      proctorEnrollments: model.enrollments.filter((enrollment) => enrollment.role === 'proctor').length,
      enrollmentsOfSkippedUsers: model.enrollments.filter(
        (enrollment) =>
          (enrollment.role === 'teacher' || enrollment.role === 'student') &&
          !ACCOUNT_ROLES[roleOf.get(enrollment.userSourcedId) as OneRosterUserRole],
      ).length,
    },
  };
}
