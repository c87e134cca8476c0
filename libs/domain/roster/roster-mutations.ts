import type { OneRosterEnrollmentRole } from './oneroster-spec';
import type { LinkDeclaration, ModelUser, RosterModel } from './roster-model';

/**
 * Scenario edits for tests: each returns a new model and leaves its input untouched, and each refuses
 * (throws) an edit that would not change anything, so a test cannot silently exercise nothing.
 */

export function withoutEnrollment(
  model: RosterModel,
  userSourcedId: string,
  sectionSourcedId: string,
): RosterModel {
  const enrollments = model.enrollments.filter(
    (enrollment) =>
      !(enrollment.userSourcedId === userSourcedId && enrollment.sectionSourcedId === sectionSourcedId),
  );
  if (enrollments.length === model.enrollments.length) {
    throw new Error(`${userSourcedId} is not enrolled in ${sectionSourcedId}`);
  }
  return { ...model, enrollments };
}

export function withEnrollment(
  model: RosterModel,
  enrollment: {
    userSourcedId: string;
    sectionSourcedId: string;
    role: OneRosterEnrollmentRole;
    primary?: boolean;
  },
): RosterModel {
  const section = model.sections.find((candidate) => candidate.sourcedId === enrollment.sectionSourcedId);
  if (!section) throw new Error(`no section ${enrollment.sectionSourcedId}`);
  requireUser(model, enrollment.userSourcedId);
  if (
    model.enrollments.some(
      (existing) =>
        existing.userSourcedId === enrollment.userSourcedId &&
        existing.sectionSourcedId === enrollment.sectionSourcedId,
    )
  ) {
    throw new Error(`${enrollment.userSourcedId} is already enrolled in ${enrollment.sectionSourcedId}`);
  }
  return {
    ...model,
    enrollments: [
      ...model.enrollments,
      {
        sourcedId: `enr-${enrollment.sectionSourcedId}-${enrollment.userSourcedId}`,
        sectionSourcedId: enrollment.sectionSourcedId,
        schoolSourcedId: section.schoolSourcedId,
        userSourcedId: enrollment.userSourcedId,
        role: enrollment.role,
        primary: enrollment.primary ?? false,
      },
    ],
  };
}

/** Removes the user with their enrollments and guardian links, as a SIS does when someone leaves. */
export function withoutUser(model: RosterModel, userSourcedId: string): RosterModel {
  requireUser(model, userSourcedId);
  return {
    ...model,
    users: model.users.filter((user) => user.sourcedId !== userSourcedId),
    enrollments: model.enrollments.filter((enrollment) => enrollment.userSourcedId !== userSourcedId),
    guardianLinks: model.guardianLinks.filter(
      (link) => link.guardianSourcedId !== userSourcedId && link.studentSourcedId !== userSourcedId,
    ),
  };
}

export function withUserChanges(
  model: RosterModel,
  userSourcedId: string,
  changes: Partial<Omit<ModelUser, 'sourcedId'>>,
): RosterModel {
  requireUser(model, userSourcedId);
  return {
    ...model,
    users: model.users.map((user) => (user.sourcedId === userSourcedId ? { ...user, ...changes } : user)),
  };
}

export function withoutGuardianLink(
  model: RosterModel,
  guardianSourcedId: string,
  studentSourcedId: string,
): RosterModel {
  const guardianLinks = model.guardianLinks.filter(
    (link) => !(link.guardianSourcedId === guardianSourcedId && link.studentSourcedId === studentSourcedId),
  );
  if (guardianLinks.length === model.guardianLinks.length) {
    throw new Error(`${guardianSourcedId} is not linked to ${studentSourcedId}`);
  }
  return { ...model, guardianLinks };
}

export function withGuardianLink(
  model: RosterModel,
  link: { guardianSourcedId: string; studentSourcedId: string; declaredOn?: LinkDeclaration },
): RosterModel {
  requireUser(model, link.guardianSourcedId);
  requireUser(model, link.studentSourcedId);
  if (
    model.guardianLinks.some(
      (existing) =>
        existing.guardianSourcedId === link.guardianSourcedId &&
        existing.studentSourcedId === link.studentSourcedId,
    )
  ) {
    throw new Error(`${link.guardianSourcedId} is already linked to ${link.studentSourcedId}`);
  }
  return {
    ...model,
    guardianLinks: [...model.guardianLinks, { declaredOn: 'both', ...link }],
  };
}

function requireUser(model: RosterModel, userSourcedId: string): void {
  if (!model.users.some((user) => user.sourcedId === userSourcedId))
    throw new Error(`no user ${userSourcedId}`);
}
