import {
  announcementRecipients,
  canListAnnouncementRecipients,
  canPostAnnouncement,
  canReadAnnouncement,
  canReplyToAnnouncement,
  type AnnouncementRef,
} from '../../../libs/domain/policy';
import {
  attends,
  buildUser,
  DISTRICT,
  guardianOf,
  OTHER_DISTRICT,
  schoolWorld,
  teaches,
  withFacts,
  withoutGuardianLink,
  withoutMembership,
  withSection,
  withUser,
} from './roster-fixture';

const world = schoolWorld();
const mathNews: AnnouncementRef = { districtId: DISTRICT, sectionId: 'math', authorId: 'mathTeacher' };
const DELIVERED = { delivered: true };
const NOT_DELIVERED = { delivered: false };

describe.each([
  ['canPostAnnouncement', canPostAnnouncement],
  ['canListAnnouncementRecipients', canListAnnouncementRecipients],
])('%s', (_name, decide) => {
  it.each([
    ['the primary teacher', 'mathTeacher'],
    ['a co-teacher', 'coTeacher'],
  ])('when %s of the section asks, then it is allowed', (_who, actorId) => {
    expect(decide(actorId, 'math', world)).toEqual({ allowed: true });
  });

  it.each([
    ['a teacher of another section', 'artTeacher', 'not_a_teacher_of_section'],
    ['a student of the section', 'ana', 'not_a_teacher_of_section'],
    ['a guardian of a student of the section', 'hugo', 'not_a_teacher_of_section'],
    ['the school admin', 'northAdmin', 'not_a_teacher_of_section'],
    ['the district admin', 'districtAdmin', 'not_a_teacher_of_section'],
    ['a teacher of another district', 'farTeacher', 'cross_district'],
    ['an unknown user', 'nobody', 'unknown_user'],
  ])('when %s asks, then it is denied', (_who, actorId, reason) => {
    expect(decide(actorId, 'math', world)).toEqual({ allowed: false, reason });
  });

  it('when the teacher is inactive, then it is denied', () => {
    const facts = withUser(world, 'mathTeacher', { active: false });

    expect(decide('mathTeacher', 'math', facts)).toEqual({ allowed: false, reason: 'actor_inactive' });
  });

  it('when the teacher was removed from the section, then it is denied at once', () => {
    const facts = withoutMembership(world, 'coTeacher', 'math');

    expect(decide('coTeacher', 'math', facts)).toEqual({
      allowed: false,
      reason: 'not_a_teacher_of_section',
    });
  });

  it('when a student holds a teacher membership, then it grants them nothing', () => {
    const facts = withFacts(world, { memberships: [teaches('ben', 'math')] });

    expect(decide('ben', 'math', facts)).toEqual({ allowed: false, reason: 'not_a_teacher_of_section' });
  });

  it('when the section is inactive, then it is denied', () => {
    const facts = withSection(world, 'math', { active: false });

    expect(decide('mathTeacher', 'math', facts)).toEqual({ allowed: false, reason: 'section_inactive' });
  });

  it('when the section is unknown, then it is denied', () => {
    expect(decide('mathTeacher', 'ghost', world)).toEqual({ allowed: false, reason: 'unknown_section' });
  });
});

describe('announcementRecipients', () => {
  it('when a section has two students and three guardians, then each receives it once and teachers do not', () => {
    expect(announcementRecipients('math', 'mathTeacher', world)).toEqual(['ana', 'ben', 'gina', 'hugo']);
  });

  it('when a co-teacher posts, then the primary teacher is not a recipient either', () => {
    expect(announcementRecipients('math', 'coTeacher', world)).toEqual(['ana', 'ben', 'gina', 'hugo']);
  });

  it('when a student is inactive, then they are left out but a guardian reaching another student stays', () => {
    const facts = withUser(world, 'ana', { active: false });

    expect(announcementRecipients('math', 'mathTeacher', facts)).toEqual(['ben', 'hugo']);
  });

  it('when a guardian is inactive, then they are left out', () => {
    const facts = withUser(world, 'gina', { active: false });

    expect(announcementRecipients('math', 'mathTeacher', facts)).toEqual(['ana', 'ben', 'hugo']);
  });

  it('when a student left the section, then they and the guardians reaching only them are left out', () => {
    const facts = withoutMembership(world, 'ana', 'math');

    expect(announcementRecipients('math', 'mathTeacher', facts)).toEqual(['ben', 'hugo']);
  });

  it('when a guardian link was removed, then that guardian is left out', () => {
    const facts = withoutGuardianLink(world, 'gina', 'ana');

    expect(announcementRecipients('math', 'mathTeacher', facts)).toEqual(['ana', 'ben', 'hugo']);
  });

  it('when users of another district are enrolled or linked, then they are left out', () => {
    const facts = withFacts(world, {
      memberships: [attends('farStudent', 'math')],
      guardianLinks: [guardianOf('farGuardian', 'ana')],
    });

    expect(announcementRecipients('math', 'mathTeacher', facts)).toEqual(['ana', 'ben', 'gina', 'hugo']);
  });

  it('when a guardian or teacher holds a student membership, then it does not make them a recipient', () => {
    const facts = withFacts(world, { memberships: [attends('ines', 'math'), attends('artTeacher', 'math')] });

    expect(announcementRecipients('math', 'mathTeacher', facts)).toEqual(['ana', 'ben', 'gina', 'hugo']);
  });

  it('when the author id is among the recipients, then it is left out', () => {
    expect(announcementRecipients('math', 'hugo', world)).toEqual(['ana', 'ben', 'gina']);
  });

  it('when the section is inactive or unknown, then nobody receives it', () => {
    expect(
      announcementRecipients('math', 'mathTeacher', withSection(world, 'math', { active: false })),
    ).toEqual([]);
    expect(announcementRecipients('ghost', 'mathTeacher', world)).toEqual([]);
  });
});

describe('canReadAnnouncement', () => {
  it.each([
    ['the author', 'mathTeacher', NOT_DELIVERED],
    ['a co-teacher of the section', 'coTeacher', NOT_DELIVERED],
    ['a student who received it', 'ana', DELIVERED],
    ['a guardian who received it', 'gina', DELIVERED],
  ])('when %s reads it, then it is allowed', (_who, readerId, delivery) => {
    expect(canReadAnnouncement(readerId, mathNews, world, delivery)).toEqual({ allowed: true });
  });

  it.each([
    ['a student of the section without a delivery', 'ben', NOT_DELIVERED, 'not_a_recipient'],
    ['a teacher of another section', 'artTeacher', NOT_DELIVERED, 'not_a_recipient'],
    ['a student of another section holding a delivery', 'cleo', DELIVERED, 'no_current_path_to_section'],
    ['a guardian of another section holding a delivery', 'ines', DELIVERED, 'no_current_path_to_section'],
    ['the district admin', 'districtAdmin', NOT_DELIVERED, 'not_a_recipient'],
    ['a user of another district', 'farStudent', DELIVERED, 'cross_district'],
    ['an unknown user', 'nobody', DELIVERED, 'unknown_user'],
  ])('when %s reads it, then it is denied', (_who, readerId, delivery, reason) => {
    expect(canReadAnnouncement(readerId, mathNews, world, delivery)).toEqual({ allowed: false, reason });
  });

  it('when the student who received it leaves the section, then their access ends at once', () => {
    const facts = withoutMembership(world, 'ana', 'math');

    expect(canReadAnnouncement('ana', mathNews, facts, DELIVERED)).toEqual({
      allowed: false,
      reason: 'no_current_path_to_section',
    });
    expect(canReadAnnouncement('gina', mathNews, facts, DELIVERED)).toEqual({
      allowed: false,
      reason: 'no_current_path_to_section',
    });
  });

  it('when a guardian of two students loses one from the section, then they still read through the other', () => {
    const facts = withoutMembership(world, 'ana', 'math');

    expect(canReadAnnouncement('hugo', mathNews, facts, DELIVERED)).toEqual({ allowed: true });
  });

  it('when the guardian link is removed, then the guardian loses access', () => {
    const facts = withoutGuardianLink(world, 'gina', 'ana');

    expect(canReadAnnouncement('gina', mathNews, facts, DELIVERED).allowed).toBe(false);
  });

  it('when the recipient is inactive, then they cannot read', () => {
    const facts = withUser(world, 'ana', { active: false });

    expect(canReadAnnouncement('ana', mathNews, facts, DELIVERED)).toEqual({
      allowed: false,
      reason: 'actor_inactive',
    });
  });

  it('when the author left the section, then they still read their own announcement', () => {
    const facts = withoutMembership(world, 'mathTeacher', 'math');

    expect(canReadAnnouncement('mathTeacher', mathNews, facts, NOT_DELIVERED)).toEqual({ allowed: true });
  });

  it('when a co-teacher left the section, then they no longer read it', () => {
    const facts = withoutMembership(world, 'coTeacher', 'math');

    expect(canReadAnnouncement('coTeacher', mathNews, facts, NOT_DELIVERED).allowed).toBe(false);
  });

  it('when a teacher joined the section after it was posted, then they read it as its teacher', () => {
    const facts = withFacts(world, { memberships: [teaches('artTeacher', 'math', false)] });

    expect(canReadAnnouncement('artTeacher', mathNews, facts, NOT_DELIVERED)).toEqual({ allowed: true });
  });

  it('when the section is deactivated, then recipients lose access and the author keeps it', () => {
    const facts = withSection(world, 'math', { active: false });

    expect(canReadAnnouncement('ana', mathNews, facts, DELIVERED).allowed).toBe(false);
    expect(canReadAnnouncement('coTeacher', mathNews, facts, NOT_DELIVERED).allowed).toBe(false);
    expect(canReadAnnouncement('mathTeacher', mathNews, facts, NOT_DELIVERED).allowed).toBe(true);
  });
});

describe('canReplyToAnnouncement', () => {
  it.each([
    ['a student who received it', 'ana'],
    ['a guardian who received it', 'gina'],
    ['a guardian of two students who received it', 'hugo'],
  ])('when %s replies, then it is allowed', (_who, actorId) => {
    expect(canReplyToAnnouncement(actorId, mathNews, world, DELIVERED)).toEqual({ allowed: true });
  });

  it('when the author replies to their own announcement, then it is denied', () => {
    expect(canReplyToAnnouncement('mathTeacher', mathNews, world, NOT_DELIVERED)).toEqual({
      allowed: false,
      reason: 'is_author',
    });
  });

  it('when the recipient never received it, then it is denied', () => {
    expect(canReplyToAnnouncement('ben', mathNews, world, NOT_DELIVERED)).toEqual({
      allowed: false,
      reason: 'not_a_recipient',
    });
  });

  it('when the recipient left the section, then it is denied', () => {
    const facts = withoutMembership(world, 'ana', 'math');

    expect(canReplyToAnnouncement('ana', mathNews, facts, DELIVERED)).toEqual({
      allowed: false,
      reason: 'no_current_path_to_section',
    });
  });

  it('when the author has left the section, then a current recipient may read but no longer reply', () => {
    const facts = withoutMembership(world, 'mathTeacher', 'math');

    expect(canReadAnnouncement('gina', mathNews, facts, DELIVERED)).toEqual({ allowed: true });
    expect(canReplyToAnnouncement('gina', mathNews, facts, DELIVERED)).toEqual({
      allowed: false,
      reason: 'no_linked_student_in_section',
    });
    expect(canReplyToAnnouncement('ana', mathNews, facts, DELIVERED)).toEqual({
      allowed: false,
      reason: 'no_shared_section',
    });
  });

  it('when the author left the section but still teaches the recipient elsewhere, then the reply is allowed', () => {
    const facts = withFacts(withoutMembership(world, 'mathTeacher', 'math'), {
      memberships: [teaches('mathTeacher', 'art'), attends('ana', 'art')],
    });

    expect(canReplyToAnnouncement('ana', mathNews, facts, DELIVERED)).toEqual({ allowed: true });
    expect(canReplyToAnnouncement('ben', mathNews, facts, DELIVERED)).toEqual({
      allowed: false,
      reason: 'no_shared_section',
    });
  });

  it('when the author is inactive, then nobody can reply to them', () => {
    const facts = withUser(world, 'mathTeacher', { active: false });

    expect(canReplyToAnnouncement('ana', mathNews, facts, DELIVERED)).toEqual({
      allowed: false,
      reason: 'target_inactive',
    });
  });

  it('when the author is unknown, then nobody can reply', () => {
    const ghostNews = { ...mathNews, authorId: 'nobody' };

    expect(canReplyToAnnouncement('ana', ghostNews, world, DELIVERED)).toEqual({
      allowed: false,
      reason: 'unknown_user',
    });
  });

  it('when the author record is in another district, then nobody can reply', () => {
    const facts = withFacts(world, {
      users: [buildUser({ id: 'movedTeacher', role: 'teacher', districtId: OTHER_DISTRICT })],
    });
    const movedNews = { ...mathNews, authorId: 'movedTeacher' };

    expect(canReplyToAnnouncement('ana', movedNews, facts, DELIVERED)).toEqual({
      allowed: false,
      reason: 'cross_district',
    });
  });

  it('when a co-teacher replies with teacher-to-teacher messaging off, then it is denied', () => {
    expect(canReplyToAnnouncement('coTeacher', mathNews, world, NOT_DELIVERED)).toEqual({
      allowed: false,
      reason: 'teacher_to_teacher_disabled',
    });
  });

  it('when a co-teacher replies with teacher-to-teacher messaging on, then it is allowed', () => {
    const options = { teacherToTeacherWithinSchool: true };

    expect(canReplyToAnnouncement('coTeacher', mathNews, world, NOT_DELIVERED, options)).toEqual({
      allowed: true,
    });
  });

  it('when someone who cannot read it replies, then it is denied with the read denial', () => {
    expect(canReplyToAnnouncement('artTeacher', mathNews, world, NOT_DELIVERED)).toEqual({
      allowed: false,
      reason: 'not_a_recipient',
    });
  });
});
