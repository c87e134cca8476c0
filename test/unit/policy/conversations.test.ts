import {
  canAccessConversation,
  canReviewConversation,
  type ConversationRef,
} from '../../../libs/domain/policy';
import {
  buildUser,
  DISTRICT,
  OTHER_DISTRICT,
  schoolWorld,
  withFacts,
  withoutGuardianLink,
  withoutMembership,
  withSection,
  withUser,
  attends,
  guardianOf,
  teaches,
} from './roster-fixture';

const world = schoolWorld();

function direct(first: string, second: string, districtId = DISTRICT): ConversationRef {
  return { districtId, participantIds: [first, second] };
}

describe('canAccessConversation', () => {
  it.each([
    ['mathTeacher', direct('mathTeacher', 'ana')],
    ['ana', direct('mathTeacher', 'ana')],
    ['gina', direct('gina', 'coTeacher')],
  ])('when participant %s of an allowed pair uses it, then it is allowed', (actorId, conversation) => {
    expect(canAccessConversation(actorId, conversation, world)).toEqual({ allowed: true });
  });

  it('when someone who is not a participant uses it, then it is denied', () => {
    expect(canAccessConversation('ben', direct('mathTeacher', 'ana'), world)).toEqual({
      allowed: false,
      reason: 'not_a_participant',
    });
  });

  it('when the student left the section, then neither side can use the conversation any more', () => {
    const facts = withoutMembership(world, 'ana', 'math');

    expect(canAccessConversation('ana', direct('mathTeacher', 'ana'), facts)).toEqual({
      allowed: false,
      reason: 'no_shared_section',
    });
    expect(canAccessConversation('mathTeacher', direct('mathTeacher', 'ana'), facts).allowed).toBe(false);
  });

  it('when the other participant is inactive, then it is denied', () => {
    const facts = withUser(world, 'ana', { active: false });

    expect(canAccessConversation('mathTeacher', direct('mathTeacher', 'ana'), facts)).toEqual({
      allowed: false,
      reason: 'target_inactive',
    });
  });

  it('when the conversation belongs to another district, then it is denied', () => {
    expect(canAccessConversation('ana', direct('mathTeacher', 'ana', OTHER_DISTRICT), world)).toEqual({
      allowed: false,
      reason: 'cross_district',
    });
  });

  it('when the actor is unknown, then it is denied', () => {
    expect(canAccessConversation('nobody', direct('nobody', 'ana'), world)).toEqual({
      allowed: false,
      reason: 'unknown_user',
    });
  });

  it('when a conversation names one user twice, then it is denied as self', () => {
    expect(canAccessConversation('ana', direct('ana', 'ana'), world)).toEqual({
      allowed: false,
      reason: 'self',
    });
  });

  it('when a teacher-to-teacher conversation is used with the option on, then it is allowed', () => {
    const options = { teacherToTeacherWithinSchool: true };

    expect(canAccessConversation('artTeacher', direct('artTeacher', 'mathTeacher'), world, options)).toEqual({
      allowed: true,
    });
    expect(canAccessConversation('artTeacher', direct('artTeacher', 'mathTeacher'), world)).toEqual({
      allowed: false,
      reason: 'teacher_to_teacher_disabled',
    });
  });

  describe('after a roster change (a thread opened by a reply to an announcement included)', () => {
    it('when the author is removed from the section, then neither the student nor the teacher can use it', () => {
      const facts = withoutMembership(world, 'mathTeacher', 'math');

      expect(canAccessConversation('ana', direct('mathTeacher', 'ana'), facts)).toEqual({
        allowed: false,
        reason: 'no_shared_section',
      });
      expect(canAccessConversation('mathTeacher', direct('mathTeacher', 'ana'), facts)).toEqual({
        allowed: false,
        reason: 'no_shared_section',
      });
    });

    it('when the author is removed, then the co-teacher who stays keeps their own threads', () => {
      const facts = withoutMembership(world, 'mathTeacher', 'math');

      expect(canAccessConversation('ana', direct('coTeacher', 'ana'), facts)).toEqual({ allowed: true });
      expect(canAccessConversation('gina', direct('coTeacher', 'gina'), facts)).toEqual({ allowed: true });
    });

    it('when a co-teacher is removed, then their threads close and the primary teacher keeps theirs', () => {
      const facts = withoutMembership(world, 'coTeacher', 'math');

      expect(canAccessConversation('coTeacher', direct('coTeacher', 'ben'), facts)).toEqual({
        allowed: false,
        reason: 'no_shared_section',
      });
      expect(canAccessConversation('ben', direct('mathTeacher', 'ben'), facts)).toEqual({ allowed: true });
    });

    it("when a guardian's only child leaves the section, then the guardian's thread with its teacher closes", () => {
      const facts = withoutMembership(world, 'ana', 'math');

      expect(canAccessConversation('gina', direct('mathTeacher', 'gina'), facts)).toEqual({
        allowed: false,
        reason: 'no_linked_student_in_section',
      });
      expect(canAccessConversation('hugo', direct('mathTeacher', 'hugo'), facts)).toEqual({
        allowed: true,
      });
    });

    it('when the guardian link is removed, then the guardian loses the thread', () => {
      const facts = withoutGuardianLink(world, 'gina', 'ana');

      expect(canAccessConversation('gina', direct('mathTeacher', 'gina'), facts)).toEqual({
        allowed: false,
        reason: 'no_linked_student_in_section',
      });
    });

    it.each([
      ['the teacher', 'mathTeacher', 'actor_inactive', 'target_inactive'],
      ['the student', 'ana', 'target_inactive', 'actor_inactive'],
    ])('when %s is deactivated, then both sides are denied', (_who, id, teacherReason, studentReason) => {
      const facts = withUser(world, id, { active: false });

      expect(canAccessConversation('mathTeacher', direct('mathTeacher', 'ana'), facts)).toEqual({
        allowed: false,
        reason: teacherReason,
      });
      expect(canAccessConversation('ana', direct('mathTeacher', 'ana'), facts)).toEqual({
        allowed: false,
        reason: studentReason,
      });
    });

    it('when the section is deactivated (its school was), then the thread closes', () => {
      const facts = withSection(world, 'math', { active: false });

      expect(canAccessConversation('ana', direct('mathTeacher', 'ana'), facts)).toEqual({
        allowed: false,
        reason: 'no_shared_section',
      });
      expect(canAccessConversation('gina', direct('coTeacher', 'gina'), facts)).toEqual({
        allowed: false,
        reason: 'no_linked_student_in_section',
      });
    });
  });
});

describe('canReviewConversation', () => {
  const mathThread = direct('mathTeacher', 'ana');
  const guardianThread = direct('hugo', 'coTeacher');
  const scienceThread = direct('scienceTeacher', 'dan');

  it.each([
    ['the district admin', 'districtAdmin', mathThread],
    ['the district admin', 'districtAdmin', scienceThread],
    ['the district admin', 'districtAdmin', direct('gina', 'hugo')],
    ['the north school admin', 'northAdmin', mathThread],
    ['the north school admin', 'northAdmin', guardianThread],
    ['the south school admin', 'southAdmin', scienceThread],
  ])(
    'when %s (%s) reviews a conversation in their scope, then it is allowed',
    (_who, reviewerId, conversation) => {
      expect(canReviewConversation(reviewerId, conversation, world)).toEqual({ allowed: true });
    },
  );

  it.each([
    [
      'the south school admin reviews a north conversation',
      'southAdmin',
      mathThread,
      'no_participant_in_school',
    ],
    [
      'a school admin reviews guardians alone',
      'northAdmin',
      direct('gina', 'hugo'),
      'no_participant_in_school',
    ],
    ['a district admin of another district', 'farDistrictAdmin', mathThread, 'cross_district'],
    ['a teacher', 'mathTeacher', scienceThread, 'not_an_admin'],
    ['a guardian', 'hugo', mathThread, 'not_an_admin'],
    ['a student', 'ben', mathThread, 'not_an_admin'],
    ['an unknown user', 'nobody', mathThread, 'unknown_user'],
  ])('when %s, then it is denied', (_who, reviewerId, conversation, reason) => {
    expect(canReviewConversation(reviewerId, conversation, world)).toEqual({ allowed: false, reason });
  });

  it('when the conversation belongs to another district, then even the district admin is denied', () => {
    expect(
      canReviewConversation('districtAdmin', direct('farTeacher', 'farStudent', OTHER_DISTRICT), world),
    ).toEqual({
      allowed: false,
      reason: 'cross_district',
    });
  });

  it('when the admin is inactive, then it is denied', () => {
    const facts = withUser(world, 'districtAdmin', { active: false });

    expect(canReviewConversation('districtAdmin', mathThread, facts)).toEqual({
      allowed: false,
      reason: 'actor_inactive',
    });
  });

  it('when a school admin has no school, then it is denied', () => {
    const facts = withFacts(world, { users: [buildUser({ id: 'looseAdmin', role: 'school_admin' })] });

    expect(canReviewConversation('looseAdmin', mathThread, facts)).toEqual({
      allowed: false,
      reason: 'no_school_assigned',
    });
  });

  it('when a participant of the school was deactivated, then their conversation stays reviewable', () => {
    const facts = withUser(withUser(world, 'ana', { active: false }), 'mathTeacher', { active: false });

    expect(canReviewConversation('northAdmin', mathThread, facts)).toEqual({ allowed: true });
  });

  it('when no participant is in a section of the school any more, then the school admin is denied', () => {
    const facts = withoutMembership(withoutMembership(world, 'ana', 'math'), 'mathTeacher', 'math');

    expect(canReviewConversation('northAdmin', mathThread, facts)).toEqual({
      allowed: false,
      reason: 'no_participant_in_school',
    });
    expect(canReviewConversation('districtAdmin', mathThread, facts)).toEqual({ allowed: true });
  });

  it('when a section of another district carries the same school id, then it does not widen the school admin', () => {
    const facts = withSection(world, 'farMath', { schoolId: 'school-north' });

    expect(canReviewConversation('northAdmin', direct('farTeacher', 'farStudent'), facts)).toEqual({
      allowed: false,
      reason: 'no_participant_in_school',
    });
  });

  it('when the school section is inactive, then the school admin is denied', () => {
    const facts = withSection(world, 'math', { active: false });

    expect(canReviewConversation('northAdmin', mathThread, facts).allowed).toBe(false);
  });

  describe('when a teacher teaches in two schools', () => {
    // mathTeacher teaches math (north) and science (south); dan attends science only.
    const facts = withFacts(world, { memberships: [teaches('mathTeacher', 'science')] });

    it("then the other school's admin may not review their conversation with a student of one school", () => {
      expect(canReviewConversation('northAdmin', direct('mathTeacher', 'dan'), facts)).toEqual({
        allowed: false,
        reason: 'no_participant_in_school',
      });
      expect(canReviewConversation('southAdmin', direct('mathTeacher', 'dan'), facts)).toEqual({
        allowed: true,
      });
    });

    it("then a guardian's thread goes to the school where the teacher teaches the child, not the others", () => {
      // ines's children: cleo (art, north, not taught by mathTeacher) and dan (science, south).
      const withDan = withFacts(facts, { guardianLinks: [guardianOf('ines', 'dan')] });
      const thread = direct('ines', 'mathTeacher');

      expect(canReviewConversation('southAdmin', thread, withDan)).toEqual({ allowed: true });
      expect(canReviewConversation('northAdmin', thread, withDan)).toEqual({
        allowed: false,
        reason: 'no_participant_in_school',
      });
    });
  });

  it('when a student is enrolled in both schools, then both school admins may review their conversations', () => {
    const facts = withFacts(world, { memberships: [attends('ana', 'science')] });

    expect(canReviewConversation('southAdmin', mathThread, facts)).toEqual({ allowed: true });
    expect(canReviewConversation('northAdmin', mathThread, facts)).toEqual({ allowed: true });
  });

  it("when only the teacher is still in the school's section, then the school admin is denied", () => {
    const facts = withoutMembership(world, 'ana', 'math');

    expect(canReviewConversation('northAdmin', mathThread, facts)).toEqual({
      allowed: false,
      reason: 'no_participant_in_school',
    });
  });
});
