import { conversationSchoolIds, sliceForUsers, userSchoolIds } from '../../../libs/domain/policy';
import {
  attends,
  buildUser,
  DISTRICT,
  guardianOf,
  OTHER_DISTRICT,
  schoolWorld,
  teaches,
  withFacts,
  withSection,
  withUser,
} from './roster-fixture';

const world = schoolWorld();

describe('conversationSchoolIds', () => {
  it('when a student talks with their teacher, then the scope is the school of the student’s sections', () => {
    expect(conversationSchoolIds(DISTRICT, ['mathTeacher', 'ana'], world)).toEqual(['school-north']);
    expect(conversationSchoolIds(DISTRICT, ['scienceTeacher', 'dan'], world)).toEqual(['school-south']);
  });

  it('when the teacher also teaches in another school, then that school is not in the scope', () => {
    const facts = withFacts(world, { memberships: [teaches('mathTeacher', 'science')] });

    expect(conversationSchoolIds(DISTRICT, ['mathTeacher', 'dan'], facts)).toEqual(['school-south']);
  });

  it('when a guardian talks with a teacher, then the scope is where that teacher teaches their child', () => {
    // ines's children: cleo (art, north) and dan (science, south); scienceTeacher teaches dan only.
    const facts = withFacts(world, { guardianLinks: [guardianOf('ines', 'dan')] });

    expect(conversationSchoolIds(DISTRICT, ['ines', 'scienceTeacher'], facts)).toEqual(['school-south']);
    expect(conversationSchoolIds(DISTRICT, ['artTeacher', 'ines'], facts)).toEqual(['school-north']);
  });

  it('when two guardians or two teachers talk, then no school is in the scope', () => {
    expect(conversationSchoolIds(DISTRICT, ['gina', 'hugo'], world)).toEqual([]);
    expect(conversationSchoolIds(DISTRICT, ['mathTeacher', 'artTeacher'], world)).toEqual([]);
  });

  it('when the student was deactivated, then the scope stays; when their section was, then it goes', () => {
    expect(
      conversationSchoolIds(DISTRICT, ['mathTeacher', 'ana'], withUser(world, 'ana', { active: false })),
    ).toEqual(['school-north']);
    expect(
      conversationSchoolIds(DISTRICT, ['mathTeacher', 'ana'], withSection(world, 'math', { active: false })),
    ).toEqual([]);
  });

  it('when the participants belong to another district, then nothing is in the scope', () => {
    expect(conversationSchoolIds(DISTRICT, ['farTeacher', 'farStudent'], world)).toEqual([]);
    expect(conversationSchoolIds(OTHER_DISTRICT, ['farTeacher', 'farStudent'], world)).toEqual([
      'school-far',
    ]);
  });

  it('when computed on the participants’ slice, then the answer is the same as on the whole roster', () => {
    const facts = withFacts(world, {
      memberships: [teaches('mathTeacher', 'science'), attends('ana', 'science')],
      guardianLinks: [guardianOf('ines', 'dan')],
    });
    for (const pair of [
      ['mathTeacher', 'ana'],
      ['ines', 'scienceTeacher'],
      ['hugo', 'coTeacher'],
      ['mathTeacher', 'dan'],
    ] as const) {
      expect(conversationSchoolIds(DISTRICT, pair, sliceForUsers(facts, pair))).toEqual(
        conversationSchoolIds(DISTRICT, pair, facts),
      );
    }
  });
});

describe('userSchoolIds', () => {
  it('when a user has a school and sections, then both count; a guardian brings their children’s', () => {
    const facts = withFacts(world, {
      users: [buildUser({ id: 'ola', role: 'student', schoolId: 'school-east' })],
      memberships: [attends('ola', 'science')],
      guardianLinks: [guardianOf('gina', 'ola')],
    });

    expect(userSchoolIds(DISTRICT, 'ola', facts)).toEqual(['school-east', 'school-south']);
    expect(userSchoolIds(DISTRICT, 'gina', facts)).toEqual(['school-north', 'school-south']);
    expect(userSchoolIds(DISTRICT, 'mathTeacher', facts)).toEqual(['school-north']);
  });

  it('when the user is unknown or of another district, then no school', () => {
    expect(userSchoolIds(DISTRICT, 'nobody', world)).toEqual([]);
    expect(userSchoolIds(DISTRICT, 'farStudent', world)).toEqual([]);
  });
});
