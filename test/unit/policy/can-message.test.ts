import {
  canMessage,
  DEFAULT_POLICY_OPTIONS,
  indexRoster,
  isAllowed,
  type DenyReason,
  type PolicyOptions,
  type Role,
  type RosterFacts,
} from '../../../libs/domain/policy';
import {
  attends,
  buildRoster,
  buildSection,
  buildUser,
  DISTRICT,
  guardianOf,
  OTHER_DISTRICT,
  ROLES,
  schoolWorld,
  teaches,
  withFacts,
  withoutGuardianLink,
  withoutMembership,
  withSection,
  withUser,
} from './roster-fixture';

const TEACHERS_OF_ONE_SCHOOL: PolicyOptions = { teacherToTeacherWithinSchool: true };

/**
 * Two users of every role. When related, every teacher and student is in one shared section and each
 * guardian is linked to one of those students; when unrelated, every teacher and student has a
 * section of their own in a school of their own.
 */
function pairWorld(related: boolean, districtId = DISTRICT, prefix = ''): RosterFacts {
  const ids = ROLES.flatMap((role) => [1, 2].map((n) => ({ id: `${prefix}${role}-${n}`, role })));
  const members = ids.filter(({ role }) => role === 'teacher' || role === 'student');
  const sectionOf = (id: string): string => (related ? `${prefix}shared` : `${id}-section`);
  const sectionIds = [...new Set(members.map(({ id }) => sectionOf(id)))];
  return buildRoster({
    users: ids.map(({ id, role }) =>
      buildUser({ id, role, districtId, schoolId: role === 'school_admin' ? `${prefix}school` : undefined }),
    ),
    sections: sectionIds.map((id) =>
      buildSection({ id, districtId, schoolId: related ? `${prefix}school` : `${id}-school` }),
    ),
    memberships: members.map(({ id, role }) =>
      role === 'teacher' ? teaches(id, sectionOf(id)) : attends(id, sectionOf(id)),
    ),
    guardianLinks: [
      guardianOf(`${prefix}guardian-1`, `${prefix}student-1`),
      guardianOf(`${prefix}guardian-2`, `${prefix}student-2`),
    ],
  });
}

const ROLE_PAIRS: [Role, Role][] = ROLES.flatMap((actor) =>
  ROLES.map((target): [Role, Role] => [actor, target]),
);

function pairIds(actor: Role, target: Role, prefix = ''): [string, string] {
  return [`${actor}-1`, actor === target ? `${prefix}${target}-2` : `${prefix}${target}-1`];
}

function isPair(actor: Role, target: Role, a: Role, b: Role): boolean {
  return (actor === a && target === b) || (actor === b && target === a);
}

function denialWithoutRelationship(actor: Role, target: Role, options: PolicyOptions): DenyReason {
  if (isPair(actor, target, 'teacher', 'student')) return 'no_shared_section';
  if (isPair(actor, target, 'teacher', 'guardian')) return 'no_linked_student_in_section';
  if (actor === 'teacher' && target === 'teacher') {
    return options.teacherToTeacherWithinSchool ? 'no_shared_school' : 'teacher_to_teacher_disabled';
  }
  return 'role_pair_not_allowed';
}

describe('canMessage', () => {
  describe.each([
    ['off (the default)', DEFAULT_POLICY_OPTIONS],
    ['on', TEACHERS_OF_ONE_SCHOOL],
  ])('with teacher-to-teacher messaging %s', (_label, options) => {
    const related = pairWorld(true);
    const unrelated = pairWorld(false);

    it.each(ROLE_PAIRS)(
      'when a %s messages a %s they share a section or link with, then only teacher pairs pass',
      (actor, target) => {
        const [actorId, targetId] = pairIds(actor, target);
        const teacherPairAllowed =
          isPair(actor, target, 'teacher', 'student') ||
          isPair(actor, target, 'teacher', 'guardian') ||
          (actor === 'teacher' && target === 'teacher' && options.teacherToTeacherWithinSchool);
        const expected = teacherPairAllowed
          ? { allowed: true }
          : { allowed: false, reason: denialWithoutRelationship(actor, target, DEFAULT_POLICY_OPTIONS) };

        expect(canMessage(actorId, targetId, related, options)).toEqual(expected);
      },
    );

    it.each(ROLE_PAIRS)(
      'when a %s messages an unrelated %s, then it is denied with the reason',
      (actor, target) => {
        const [actorId, targetId] = pairIds(actor, target);

        expect(canMessage(actorId, targetId, unrelated, options)).toEqual({
          allowed: false,
          reason: denialWithoutRelationship(actor, target, options),
        });
      },
    );

    it.each(ROLE_PAIRS)(
      'when a %s messages a %s of another district, then it is denied as cross-district',
      (actor, target) => {
        const twoDistricts = withFacts(related, pairWorld(true, OTHER_DISTRICT, 'far-'));
        const [actorId, targetId] = pairIds(actor, target, 'far-');

        expect(canMessage(actorId, targetId, twoDistricts, options)).toEqual({
          allowed: false,
          reason: 'cross_district',
        });
      },
    );

    it.each(ROLES)('when a %s messages themselves, then it is denied as self', (role) => {
      expect(canMessage(`${role}-1`, `${role}-1`, related, options)).toEqual({
        allowed: false,
        reason: 'self',
      });
    });
  });

  describe('in the shared school world', () => {
    const world = schoolWorld();

    it.each([
      ['the primary teacher', 'mathTeacher', 'ana'],
      ['a co-teacher', 'coTeacher', 'ana'],
      ['a student', 'ben', 'mathTeacher'],
      ['a student', 'ben', 'coTeacher'],
    ])('when %s (%s) messages %s of the same section, then it is allowed', (_who, actorId, targetId) => {
      expect(canMessage(actorId, targetId, world)).toEqual({ allowed: true });
    });

    it.each([
      ['gina', 'mathTeacher'],
      ['mathTeacher', 'gina'],
      ['coTeacher', 'hugo'],
      ['ines', 'artTeacher'],
    ])(
      'when guardian and teacher %s and %s are joined by a linked student in class, then it is allowed',
      (actorId, targetId) => {
        expect(canMessage(actorId, targetId, world)).toEqual({ allowed: true });
      },
    );

    it.each([
      ['artTeacher', 'ana', 'no_shared_section'],
      ['scienceTeacher', 'cleo', 'no_shared_section'],
      ['artTeacher', 'gina', 'no_linked_student_in_section'],
      ['scienceTeacher', 'hugo', 'no_linked_student_in_section'],
      ['ana', 'ben', 'role_pair_not_allowed'],
      ['gina', 'hugo', 'role_pair_not_allowed'],
      ['gina', 'ben', 'role_pair_not_allowed'],
      ['northAdmin', 'ana', 'role_pair_not_allowed'],
      ['districtAdmin', 'mathTeacher', 'role_pair_not_allowed'],
      ['mathTeacher', 'farStudent', 'cross_district'],
      ['farGuardian', 'mathTeacher', 'cross_district'],
    ])('when %s messages %s, then it is denied with %s', (actorId, targetId, reason) => {
      expect(canMessage(actorId, targetId, world)).toEqual({ allowed: false, reason });
    });

    it('when the target does not exist, then it is denied as an unknown user', () => {
      expect(canMessage('mathTeacher', 'nobody', world)).toEqual({ allowed: false, reason: 'unknown_user' });
      expect(canMessage('nobody', 'ana', world)).toEqual({ allowed: false, reason: 'unknown_user' });
    });

    it('when the acting teacher is inactive, then they cannot message their student', () => {
      const facts = withUser(world, 'mathTeacher', { active: false });

      expect(canMessage('mathTeacher', 'ana', facts)).toEqual({ allowed: false, reason: 'actor_inactive' });
    });

    it('when the student is inactive, then their teacher cannot reach them', () => {
      const facts = withUser(world, 'ana', { active: false });

      expect(canMessage('mathTeacher', 'ana', facts)).toEqual({ allowed: false, reason: 'target_inactive' });
      expect(canMessage('ana', 'mathTeacher', facts)).toEqual({ allowed: false, reason: 'actor_inactive' });
    });

    it('when a student is removed from the section, then they and their teacher lose each other at once', () => {
      const facts = withoutMembership(world, 'ana', 'math');

      expect(canMessage('mathTeacher', 'ana', facts)).toEqual({
        allowed: false,
        reason: 'no_shared_section',
      });
      expect(canMessage('ana', 'coTeacher', facts)).toEqual({ allowed: false, reason: 'no_shared_section' });
    });

    it('when a co-teacher is removed from the section, then they lose its students and guardians', () => {
      const facts = withoutMembership(world, 'coTeacher', 'math');

      expect(isAllowed(canMessage('coTeacher', 'ana', facts))).toBe(false);
      expect(isAllowed(canMessage('coTeacher', 'hugo', facts))).toBe(false);
      expect(isAllowed(canMessage('mathTeacher', 'ana', facts))).toBe(true);
    });

    it('when the only linked student leaves the section, then the guardian loses the teacher', () => {
      const facts = withoutMembership(world, 'ana', 'math');

      expect(canMessage('gina', 'mathTeacher', facts)).toEqual({
        allowed: false,
        reason: 'no_linked_student_in_section',
      });
    });

    it('when a guardian of two students loses one of them from the section, then the other keeps the path', () => {
      const oneLeft = withoutMembership(world, 'ana', 'math');
      const bothLeft = withoutMembership(oneLeft, 'ben', 'math');

      expect(isAllowed(canMessage('hugo', 'mathTeacher', oneLeft))).toBe(true);
      expect(isAllowed(canMessage('hugo', 'mathTeacher', bothLeft))).toBe(false);
    });

    it('when the guardian link is removed, then the guardian loses the teacher', () => {
      const facts = withoutGuardianLink(world, 'gina', 'ana');

      expect(isAllowed(canMessage('mathTeacher', 'gina', facts))).toBe(false);
    });

    it('when the linked student is deactivated, then the guardian no longer reaches the teacher through them', () => {
      const facts = withUser(world, 'cleo', { active: false });

      expect(isAllowed(canMessage('ines', 'artTeacher', facts))).toBe(false);
    });

    it('when the section is deactivated, then nobody reaches anybody through it', () => {
      const facts = withSection(world, 'math', { active: false });

      expect(isAllowed(canMessage('mathTeacher', 'ana', facts))).toBe(false);
      expect(isAllowed(canMessage('hugo', 'coTeacher', facts))).toBe(false);
      expect(isAllowed(canMessage('artTeacher', 'cleo', facts))).toBe(true);
    });

    it('when a membership names a section the facts lack, then it grants nothing', () => {
      const facts = withFacts(world, {
        memberships: [teaches('artTeacher', 'ghost'), attends('ana', 'ghost')],
      });

      expect(isAllowed(canMessage('artTeacher', 'ana', facts))).toBe(false);
    });

    it('when a membership role contradicts the user role, then it grants nothing', () => {
      const facts = withFacts(world, {
        memberships: [attends('artTeacher', 'math'), teaches('ben', 'art'), teaches('gina', 'art')],
      });

      expect(isAllowed(canMessage('artTeacher', 'ana', facts))).toBe(false);
      expect(isAllowed(canMessage('ben', 'cleo', facts))).toBe(false);
      expect(isAllowed(canMessage('gina', 'cleo', facts))).toBe(false);
    });

    it('when a user of another district is enrolled in a section here, then the enrolment grants nothing', () => {
      const facts = withFacts(world, {
        memberships: [attends('farStudent', 'math'), teaches('farTeacher', 'math')],
      });

      expect(canMessage('mathTeacher', 'farStudent', facts)).toEqual({
        allowed: false,
        reason: 'cross_district',
      });
      expect(canMessage('farTeacher', 'ana', facts)).toEqual({ allowed: false, reason: 'cross_district' });
    });

    it('when a guardian is linked to a student of another district, then the link grants nothing', () => {
      const facts = withFacts(world, {
        users: [buildUser({ id: 'farKid', role: 'student', districtId: OTHER_DISTRICT })],
        memberships: [attends('farKid', 'art')],
        guardianLinks: [guardianOf('gina', 'farKid')],
      });

      expect(isAllowed(canMessage('gina', 'artTeacher', facts))).toBe(false);
    });

    it('when given a prebuilt index instead of facts, then the decisions are the same', () => {
      const index = indexRoster(world);

      expect(canMessage('gina', 'mathTeacher', index)).toEqual(canMessage('gina', 'mathTeacher', world));
      expect(canMessage('gina', 'artTeacher', index)).toEqual(canMessage('gina', 'artTeacher', world));
    });
  });

  describe('between teachers', () => {
    const world = schoolWorld();

    it('when the option is off, then two teachers of one section are still denied', () => {
      expect(canMessage('mathTeacher', 'coTeacher', world)).toEqual({
        allowed: false,
        reason: 'teacher_to_teacher_disabled',
      });
    });

    it.each([
      ['mathTeacher', 'coTeacher'],
      ['mathTeacher', 'artTeacher'],
      ['artTeacher', 'coTeacher'],
    ])('when the option is on and %s and %s teach in one school, then it is allowed', (actorId, targetId) => {
      expect(canMessage(actorId, targetId, world, TEACHERS_OF_ONE_SCHOOL)).toEqual({ allowed: true });
    });

    it.each([
      ['mathTeacher', 'scienceTeacher', 'no_shared_school'],
      ['scienceTeacher', 'artTeacher', 'no_shared_school'],
      ['mathTeacher', 'farTeacher', 'cross_district'],
    ])(
      'when the option is on and %s and %s teach in different schools, then it is denied',
      (actorId, targetId, reason) => {
        expect(canMessage(actorId, targetId, world, TEACHERS_OF_ONE_SCHOOL)).toEqual({
          allowed: false,
          reason,
        });
      },
    );

    it('when the option is on but one teacher no longer teaches any section there, then it is denied', () => {
      const facts = withoutMembership(world, 'artTeacher', 'art');

      expect(canMessage('mathTeacher', 'artTeacher', facts, TEACHERS_OF_ONE_SCHOOL)).toEqual({
        allowed: false,
        reason: 'no_shared_school',
      });
    });

    it('when the option is on and the only shared-school section is inactive, then it is denied', () => {
      const facts = withSection(world, 'art', { active: false });

      expect(isAllowed(canMessage('mathTeacher', 'artTeacher', facts, TEACHERS_OF_ONE_SCHOOL))).toBe(false);
    });

    it('when the option is on and a teacher is inactive, then it is denied', () => {
      const facts = withUser(world, 'artTeacher', { active: false });

      expect(canMessage('mathTeacher', 'artTeacher', facts, TEACHERS_OF_ONE_SCHOOL)).toEqual({
        allowed: false,
        reason: 'target_inactive',
      });
    });
  });
});
