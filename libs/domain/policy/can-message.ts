import { ALLOW, deny, type Decision } from './decision';
import { asIndex, type Role, type Roster, type RosterIndex, type RosterUser } from './roster-facts';
import { currentSchoolIdsTaughtBy, currentSectionIds, currentStudentIdsOfGuardian } from './roster-paths';

export interface PolicyOptions {
  /** Planned extension: two teachers who both teach in one school may message each other. */
  readonly teacherToTeacherWithinSchool: boolean;
}

export const DEFAULT_POLICY_OPTIONS: PolicyOptions = Object.freeze({ teacherToTeacherWithinSchool: false });

/**
 * Whether `actorId` may message `targetId` one to one right now. The rule is symmetric: teacher ↔
 * student sharing a section, teacher ↔ guardian of a student in one of the teacher's sections,
 * optionally teacher ↔ teacher of one school; everything else is denied.
 */
export function canMessage(
  actorId: string,
  targetId: string,
  roster: Roster,
  options: PolicyOptions = DEFAULT_POLICY_OPTIONS,
): Decision {
  if (actorId === targetId) return deny('self');
  const index = asIndex(roster);
  const actor = index.usersById.get(actorId);
  const target = index.usersById.get(targetId);
  if (!actor || !target) return deny('unknown_user');
  if (!actor.active) return deny('actor_inactive');
  if (!target.active) return deny('target_inactive');
  if (actor.districtId !== target.districtId) return deny('cross_district');
  return decideForRoles(index, actor, target, options);
}

function decideForRoles(
  index: RosterIndex,
  actor: RosterUser,
  target: RosterUser,
  options: PolicyOptions,
): Decision {
  const teacherAndStudent = orderByRoles(actor, target, 'teacher', 'student');
  if (teacherAndStudent) return teacherStudentDecision(index, ...teacherAndStudent);
  const teacherAndGuardian = orderByRoles(actor, target, 'teacher', 'guardian');
  if (teacherAndGuardian) return teacherGuardianDecision(index, ...teacherAndGuardian);
  if (actor.role === 'teacher' && target.role === 'teacher') {
    return options.teacherToTeacherWithinSchool
      ? teacherTeacherDecision(index, actor.id, target.id)
      : deny('teacher_to_teacher_disabled');
  }
  return deny('role_pair_not_allowed');
}

function orderByRoles(
  a: RosterUser,
  b: RosterUser,
  firstRole: Role,
  secondRole: Role,
): [string, string] | undefined {
  if (a.role === firstRole && b.role === secondRole) return [a.id, b.id];
  if (b.role === firstRole && a.role === secondRole) return [b.id, a.id];
  return undefined;
}

function teacherStudentDecision(index: RosterIndex, teacherId: string, studentId: string): Decision {
  const taught = currentSectionIds(index, teacherId, 'teacher');
  const attended = currentSectionIds(index, studentId, 'student');
  return [...attended].some((sectionId) => taught.has(sectionId)) ? ALLOW : deny('no_shared_section');
}

function teacherGuardianDecision(index: RosterIndex, teacherId: string, guardianId: string): Decision {
  const taught = currentSectionIds(index, teacherId, 'teacher');
  const linkedStudentInClass = currentStudentIdsOfGuardian(index, guardianId).some((studentId) =>
    [...currentSectionIds(index, studentId, 'student')].some((sectionId) => taught.has(sectionId)),
  );
  return linkedStudentInClass ? ALLOW : deny('no_linked_student_in_section');
}

function teacherTeacherDecision(index: RosterIndex, firstId: string, secondId: string): Decision {
  const firstSchools = currentSchoolIdsTaughtBy(index, firstId);
  return [...currentSchoolIdsTaughtBy(index, secondId)].some((schoolId) => firstSchools.has(schoolId))
    ? ALLOW
    : deny('no_shared_school');
}
