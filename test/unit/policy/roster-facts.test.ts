import {
  asIndex,
  canMessage,
  indexRoster,
  sliceForPair,
  sliceForSection,
  sliceForUsers,
  type RosterFacts,
} from '../../../libs/domain/policy';
import { schoolWorld } from './roster-fixture';

const world = schoolWorld();

function idsOf(facts: RosterFacts) {
  return {
    users: facts.users.map((user) => user.id).sort(),
    sections: facts.sections.map((section) => section.id).sort(),
    memberships: facts.memberships.map((m) => `${m.userId}@${m.sectionId}`).sort(),
    guardianLinks: facts.guardianLinks.map((link) => `${link.guardianId}>${link.studentId}`).sort(),
  };
}

describe('indexRoster', () => {
  it('when the roster is indexed, then every row is reachable by its keys', () => {
    const index = indexRoster(world);

    expect(index.usersById.get('hugo')?.role).toBe('guardian');
    expect(index.sectionsById.get('science')?.schoolId).toBe('school-south');
    expect(index.membershipsBySection.get('math')?.map((m) => m.userId)).toEqual([
      'mathTeacher',
      'coTeacher',
      'ana',
      'ben',
    ]);
    expect(index.membershipsByUser.get('ana')?.map((m) => m.sectionId)).toEqual(['math']);
    expect(index.studentIdsByGuardian.get('hugo')).toEqual(['ana', 'ben']);
    expect(index.guardianIdsByStudent.get('ana')).toEqual(['gina', 'hugo']);
  });

  it('when an index is passed where a roster is expected, then it is used as is', () => {
    const index = indexRoster(world);

    expect(asIndex(index)).toBe(index);
    expect(asIndex(world)).not.toBe(index);
  });
});

describe('sliceForPair', () => {
  it('when a guardian and a teacher are sliced, then the linked students and all their sections come along', () => {
    expect(idsOf(sliceForPair(world, 'hugo', 'artTeacher'))).toEqual({
      users: ['ana', 'artTeacher', 'ben', 'hugo'],
      sections: ['art', 'math'],
      memberships: ['ana@math', 'artTeacher@art', 'ben@math'],
      guardianLinks: ['hugo>ana', 'hugo>ben'],
    });
  });

  it('when a student and a teacher are sliced, then the student keeps the links naming them but not the guardians', () => {
    expect(idsOf(sliceForPair(world, 'ana', 'mathTeacher'))).toEqual({
      users: ['ana', 'mathTeacher'],
      sections: ['math'],
      memberships: ['ana@math', 'mathTeacher@math'],
      guardianLinks: ['gina>ana', 'hugo>ana'],
    });
  });

  it('when the decision is taken on the slice, then it matches the whole roster', () => {
    expect(canMessage('hugo', 'coTeacher', sliceForPair(world, 'hugo', 'coTeacher'))).toEqual({
      allowed: true,
    });
    expect(canMessage('hugo', 'artTeacher', sliceForPair(world, 'hugo', 'artTeacher')).allowed).toBe(false);
  });
});

describe('sliceForUsers', () => {
  it('when an admin and two participants are sliced, then each brings their own facts', () => {
    expect(idsOf(sliceForUsers(world, ['northAdmin', 'gina', 'coTeacher']))).toEqual({
      users: ['ana', 'coTeacher', 'gina', 'northAdmin'],
      sections: ['math'],
      memberships: ['ana@math', 'coTeacher@math'],
      guardianLinks: ['gina>ana'],
    });
  });
});

describe('sliceForSection', () => {
  it('when a section is sliced, then its members, their guardians and nothing else come along', () => {
    expect(idsOf(sliceForSection(world, 'math'))).toEqual({
      users: ['ana', 'ben', 'coTeacher', 'gina', 'hugo', 'mathTeacher'],
      sections: ['math'],
      memberships: ['ana@math', 'ben@math', 'coTeacher@math', 'mathTeacher@math'],
      guardianLinks: ['gina>ana', 'hugo>ana', 'hugo>ben'],
    });
  });
});
