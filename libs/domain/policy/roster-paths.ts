import type { RosterIndex, SectionMembership, SectionRole } from './roster-facts';

/** A membership grants access only while its section, its user and their roles still agree. */
function isCurrentMembership(index: RosterIndex, membership: SectionMembership): boolean {
  const section = index.sectionsById.get(membership.sectionId);
  const user = index.usersById.get(membership.userId);
  return (
    section !== undefined &&
    user !== undefined &&
    section.active &&
    user.active &&
    user.districtId === section.districtId &&
    user.role === membership.role
  );
}

export function currentSectionIds(index: RosterIndex, userId: string, role: SectionRole): Set<string> {
  const sectionIds = new Set<string>();
  for (const membership of index.membershipsByUser.get(userId) ?? []) {
    if (membership.role === role && isCurrentMembership(index, membership)) {
      sectionIds.add(membership.sectionId);
    }
  }
  return sectionIds;
}

export function currentMemberIds(index: RosterIndex, sectionId: string, role: SectionRole): Set<string> {
  const userIds = new Set<string>();
  for (const membership of index.membershipsBySection.get(sectionId) ?? []) {
    if (membership.role === role && isCurrentMembership(index, membership)) {
      userIds.add(membership.userId);
    }
  }
  return userIds;
}

export function currentSchoolIdsTaughtBy(index: RosterIndex, teacherId: string): Set<string> {
  const schoolIds = new Set<string>();
  for (const sectionId of currentSectionIds(index, teacherId, 'teacher')) {
    const section = index.sectionsById.get(sectionId);
    if (section) schoolIds.add(section.schoolId);
  }
  return schoolIds;
}

export function isCurrentTeacherOf(index: RosterIndex, userId: string, sectionId: string): boolean {
  return currentSectionIds(index, userId, 'teacher').has(sectionId);
}

function isCurrentStudentOf(index: RosterIndex, userId: string, sectionId: string): boolean {
  return currentSectionIds(index, userId, 'student').has(sectionId);
}

function isCurrentGuardianLink(index: RosterIndex, guardianId: string, studentId: string): boolean {
  const guardian = index.usersById.get(guardianId);
  const student = index.usersById.get(studentId);
  return (
    guardian !== undefined &&
    student !== undefined &&
    guardian.role === 'guardian' &&
    student.role === 'student' &&
    guardian.active &&
    student.active &&
    guardian.districtId === student.districtId
  );
}

export function currentStudentIdsOfGuardian(index: RosterIndex, guardianId: string): string[] {
  return (index.studentIdsByGuardian.get(guardianId) ?? []).filter((studentId) =>
    isCurrentGuardianLink(index, guardianId, studentId),
  );
}

export function currentGuardianIdsOfStudent(index: RosterIndex, studentId: string): string[] {
  return (index.guardianIdsByStudent.get(studentId) ?? []).filter((guardianId) =>
    isCurrentGuardianLink(index, guardianId, studentId),
  );
}

/**
 * Whether the user would receive the section's announcements today: a current student of it, or a
 * guardian currently linked to one.
 */
export function hasRecipientPath(index: RosterIndex, userId: string, sectionId: string): boolean {
  return (
    isCurrentStudentOf(index, userId, sectionId) ||
    currentStudentIdsOfGuardian(index, userId).some((studentId) =>
      isCurrentStudentOf(index, studentId, sectionId),
    )
  );
}
