import {
  generateRoster,
  rewriteZip,
  withEnrollment,
  withGuardianLink,
  withoutEnrollment,
  withoutGuardianLink,
  withoutUser,
  writeRosterZip,
} from '../../../libs/domain/roster/generator';
import { parseGeneratorArgs, UsageError } from '../../../scripts/generate-roster';
import { parseBulk } from './roster-test-helpers';

describe('generateRoster', () => {
  it('when called twice with the same options, then the zips are byte for byte identical', () => {
    const options = { seed: 42, students: 50, sections: 5, coTeacherRate: 0.3 };

    expect(Buffer.from(generateRoster(options).zip).equals(Buffer.from(generateRoster(options).zip))).toBe(
      true,
    );
    expect(
      Buffer.from(generateRoster({ ...options, seed: 43 }).zip).equals(
        Buffer.from(generateRoster(options).zip),
      ),
    ).toBe(false);
  });

  it('when families average 1.5 guardians and nobody is a sibling, then families alternate one and two guardians', () => {
    const roster = generateRoster({ students: 4, sections: 1, guardiansPerStudent: 1.5, siblingRate: 0 });

    const perStudent = ['stu-1', 'stu-2', 'stu-3', 'stu-4'].map(
      (student) => roster.model.guardianLinks.filter((link) => link.studentSourcedId === student).length,
    );
    expect(perStudent).toEqual([1, 2, 1, 2]);
    expect(roster.expected.users.guardian).toBe(6);
    expect(roster.expected.guardianLinks).toBe(6);
  });

  it('when every section gets a co-teacher, then each section has one primary and one other teacher', () => {
    const roster = generateRoster({ sections: 8, students: 10, sectionsPerTeacher: 2, coTeacherRate: 1 });

    const teachers = parseBulk(roster.zip).memberships.filter((membership) => membership.role === 'teacher');
    for (const section of roster.model.sections) {
      const own = teachers.filter((membership) => membership.sectionSourcedId === section.sourcedId);
      expect(own.map((membership) => membership.isPrimary).sort()).toEqual([false, true]);
      expect(new Set(own.map((membership) => membership.userSourcedId)).size).toBe(2);
    }
    expect(roster.expected.memberships).toEqual({ teacher: 16, student: 20, primaryTeacher: 8 });
  });

  it('when students take three sections each, then each is in three distinct sections of their own school', () => {
    const roster = generateRoster({ schools: 2, sections: 10, students: 30, sectionsPerStudent: 3 });
    const schoolOf = new Map(
      roster.model.sections.map((section) => [section.sourcedId, section.schoolSourcedId]),
    );

    for (const student of roster.model.users.filter((user) => user.role === 'student')) {
      const sections = roster.model.enrollments
        .filter((enrollment) => enrollment.userSourcedId === student.sourcedId)
        .map((enrollment) => enrollment.sectionSourcedId);
      expect(new Set(sections).size).toBe(3);
      expect(new Set(sections.map((section) => schoolOf.get(section)))).toEqual(
        new Set(student.orgSourcedIds),
      );
    }
    expect(roster.expected.memberships.student).toBe(90);
  });

  it('when the options are impossible, then generation refuses them', () => {
    expect(() => generateRoster({ schools: 3, sections: 2 })).toThrow(RangeError);
    expect(() => generateRoster({ students: 2.5 })).toThrow(RangeError);
    expect(() => generateRoster({ guardiansPerStudent: -1 })).toThrow(RangeError);
  });
});

describe('roster mutations', () => {
  const { model } = generateRoster({ seed: 5, students: 12, sections: 3 });
  const enrollment = model.enrollments.find((candidate) => candidate.role === 'student');
  if (!enrollment) throw new Error('no student enrollment');

  it('when a student is removed from a section and the district re-exports, then the membership is gone', () => {
    const after = withoutEnrollment(model, enrollment.userSourcedId, enrollment.sectionSourcedId);

    const memberships = parseBulk(writeRosterZip(after)).memberships;

    expect(memberships).toHaveLength(parseBulk(writeRosterZip(model)).memberships.length - 1);
    expect(memberships).not.toContainEqual(
      expect.objectContaining({
        userSourcedId: enrollment.userSourcedId,
        sectionSourcedId: enrollment.sectionSourcedId,
      }),
    );
  });

  it('when a user is removed, then their account, memberships and links disappear from the re-export', () => {
    const link = model.guardianLinks[0];

    const snapshot = parseBulk(writeRosterZip(withoutUser(model, link.studentSourcedId)));

    expect(snapshot.users.map((user) => user.sourcedId)).not.toContain(link.studentSourcedId);
    expect(snapshot.memberships.map((membership) => membership.userSourcedId)).not.toContain(
      link.studentSourcedId,
    );
    expect(snapshot.guardianLinks.map((each) => each.studentSourcedId)).not.toContain(link.studentSourcedId);
  });

  it('when a guardian link is removed or added, then the re-export reflects it', () => {
    const link = model.guardianLinks[0];
    const removed = withoutGuardianLink(model, link.guardianSourcedId, link.studentSourcedId);
    const restored = withGuardianLink(removed, { ...link, declaredOn: 'guardian' });

    expect(parseBulk(writeRosterZip(removed)).guardianLinks).not.toContainEqual({
      guardianSourcedId: link.guardianSourcedId,
      studentSourcedId: link.studentSourcedId,
    });
    expect(parseBulk(writeRosterZip(restored)).guardianLinks).toContainEqual({
      guardianSourcedId: link.guardianSourcedId,
      studentSourcedId: link.studentSourcedId,
    });
  });

  it('when an edit would change nothing, then it throws instead of silently passing', () => {
    expect(() => withoutEnrollment(model, 'stu-404', enrollment.sectionSourcedId)).toThrow(/not enrolled/);
    expect(() =>
      withEnrollment(model, {
        userSourcedId: enrollment.userSourcedId,
        sectionSourcedId: enrollment.sectionSourcedId,
        role: 'student',
      }),
    ).toThrow(/already enrolled/);
    expect(() => withoutUser(model, 'stu-404')).toThrow(/no user/);
    expect(() => rewriteZip(writeRosterZip(model), 'nope.csv', (text) => text)).toThrow(/no nope.csv/);
  });
});

describe('generate-roster command line', () => {
  it('when given the documented flags, then they map onto generator options', () => {
    expect(
      parseGeneratorArgs([
        '--students',
        '50000',
        '--sections',
        '2000',
        '--guardians-per-student',
        '1.5',
        '--languages',
        'en=0.7,es=0.2,vi=0.1',
        '--links',
        'guardian',
        '--no-demographics',
        '--bom',
        '--out',
        'roster.zip',
        '--seed',
        '1',
      ]),
    ).toEqual({
      out: 'roster.zip',
      options: {
        students: 50000,
        sections: 2000,
        guardiansPerStudent: 1.5,
        guardianLanguages: { en: 0.7, es: 0.2, vi: 0.1 },
        linkDeclaration: 'guardian',
        demographics: false,
        bom: true,
        seed: 1,
      },
    });
  });

  it.each([
    [['--students', '10']],
    [['--out', 'x.zip', '--students', 'many']],
    [['--out', 'x.zip', '--links', 'sideways']],
    [['--out', 'x.zip', '--languages', 'en']],
    [['--out', 'x.zip', '--colour', 'blue']],
  ])('when given %j, then it refuses with a usage error', (argv) => {
    expect(() => parseGeneratorArgs(argv)).toThrow(UsageError);
  });
});
