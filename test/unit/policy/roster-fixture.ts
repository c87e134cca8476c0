import type {
  GuardianLink,
  Role,
  RosterFacts,
  RosterSection,
  RosterUser,
  SectionMembership,
} from '../../../libs/domain/policy';

export const DISTRICT = 'district-1';
export const OTHER_DISTRICT = 'district-2';

export const ROLES: readonly Role[] = ['student', 'teacher', 'guardian', 'school_admin', 'district_admin'];

export function buildUser(overrides: Partial<RosterUser> & Pick<RosterUser, 'id' | 'role'>): RosterUser {
  return { districtId: DISTRICT, active: true, ...overrides };
}

export function buildSection(overrides: Partial<RosterSection> & Pick<RosterSection, 'id'>): RosterSection {
  return { districtId: DISTRICT, schoolId: 'school-north', active: true, ...overrides };
}

export function teaches(userId: string, sectionId: string, primary = true): SectionMembership {
  return { userId, sectionId, role: 'teacher', primary };
}

export function attends(userId: string, sectionId: string): SectionMembership {
  return { userId, sectionId, role: 'student' };
}

export function guardianOf(guardianId: string, studentId: string): GuardianLink {
  return { guardianId, studentId };
}

export function buildRoster(parts: Partial<RosterFacts>): RosterFacts {
  return { users: [], sections: [], memberships: [], guardianLinks: [], ...parts };
}

/** The facts after a roster import removed one membership. */
export function withoutMembership(facts: RosterFacts, userId: string, sectionId: string): RosterFacts {
  return {
    ...facts,
    memberships: facts.memberships.filter((m) => !(m.userId === userId && m.sectionId === sectionId)),
  };
}

/** The facts after a roster import removed one guardian link. */
export function withoutGuardianLink(facts: RosterFacts, guardianId: string, studentId: string): RosterFacts {
  return {
    ...facts,
    guardianLinks: facts.guardianLinks.filter(
      (link) => !(link.guardianId === guardianId && link.studentId === studentId),
    ),
  };
}

export function withFacts(facts: RosterFacts, extra: Partial<RosterFacts>): RosterFacts {
  return {
    users: [...facts.users, ...(extra.users ?? [])],
    sections: [...facts.sections, ...(extra.sections ?? [])],
    memberships: [...facts.memberships, ...(extra.memberships ?? [])],
    guardianLinks: [...facts.guardianLinks, ...(extra.guardianLinks ?? [])],
  };
}

export function withUser(facts: RosterFacts, id: string, change: Partial<RosterUser>): RosterFacts {
  return { ...facts, users: facts.users.map((user) => (user.id === id ? { ...user, ...change } : user)) };
}

export function withSection(facts: RosterFacts, id: string, change: Partial<RosterSection>): RosterFacts {
  return {
    ...facts,
    sections: facts.sections.map((section) => (section.id === id ? { ...section, ...change } : section)),
  };
}

/**
 * A small district everybody's tests share.
 * North school: math (primary mathTeacher, co-teacher coTeacher; students ana, ben) and art
 * (artTeacher; cleo). South school: science (scienceTeacher; dan).
 * Guardians: gina → ana, hugo → ana and ben, ines → cleo. Admins: northAdmin, southAdmin (school
 * admins), districtAdmin. District 2 mirrors a section: farTeacher teaches farStudent, farGuardian
 * → farStudent, plus farDistrictAdmin.
 */
export function schoolWorld(): RosterFacts {
  const far = { districtId: OTHER_DISTRICT };
  return buildRoster({
    users: [
      buildUser({ id: 'mathTeacher', role: 'teacher' }),
      buildUser({ id: 'coTeacher', role: 'teacher' }),
      buildUser({ id: 'artTeacher', role: 'teacher' }),
      buildUser({ id: 'scienceTeacher', role: 'teacher' }),
      buildUser({ id: 'ana', role: 'student' }),
      buildUser({ id: 'ben', role: 'student' }),
      buildUser({ id: 'cleo', role: 'student' }),
      buildUser({ id: 'dan', role: 'student' }),
      buildUser({ id: 'gina', role: 'guardian' }),
      buildUser({ id: 'hugo', role: 'guardian' }),
      buildUser({ id: 'ines', role: 'guardian' }),
      buildUser({ id: 'northAdmin', role: 'school_admin', schoolId: 'school-north' }),
      buildUser({ id: 'southAdmin', role: 'school_admin', schoolId: 'school-south' }),
      buildUser({ id: 'districtAdmin', role: 'district_admin' }),
      buildUser({ id: 'farTeacher', role: 'teacher', ...far }),
      buildUser({ id: 'farStudent', role: 'student', ...far }),
      buildUser({ id: 'farGuardian', role: 'guardian', ...far }),
      buildUser({ id: 'farDistrictAdmin', role: 'district_admin', ...far }),
    ],
    sections: [
      buildSection({ id: 'math' }),
      buildSection({ id: 'art' }),
      buildSection({ id: 'science', schoolId: 'school-south' }),
      buildSection({ id: 'farMath', schoolId: 'school-far', ...far }),
    ],
    memberships: [
      teaches('mathTeacher', 'math'),
      teaches('coTeacher', 'math', false),
      attends('ana', 'math'),
      attends('ben', 'math'),
      teaches('artTeacher', 'art'),
      attends('cleo', 'art'),
      teaches('scienceTeacher', 'science'),
      attends('dan', 'science'),
      teaches('farTeacher', 'farMath'),
      attends('farStudent', 'farMath'),
    ],
    guardianLinks: [
      guardianOf('gina', 'ana'),
      guardianOf('hugo', 'ana'),
      guardianOf('hugo', 'ben'),
      guardianOf('ines', 'cleo'),
      guardianOf('farGuardian', 'farStudent'),
    ],
  });
}
