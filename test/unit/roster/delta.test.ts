import {
  generateRoster,
  rewriteZip,
  withEnrollment,
  withoutEnrollment,
  withoutUser,
  withUserChanges,
  writeDeltaZip,
} from '../../../libs/domain/roster/generator';
import {
  csvText,
  editCell,
  lineStartingWith,
  locations,
  parseDelta,
  parseDeltaAccepted,
} from './roster-test-helpers';

const before = generateRoster({
  seed: 11,
  students: 12,
  sections: 3,
  linkDeclaration: 'both',
  siblingRate: 0,
}).model;
const studentEnrollment = before.enrollments.find((enrollment) => enrollment.role === 'student');
if (!studentEnrollment) throw new Error('the roster has no student enrollment');

describe('parseOneRosterZip on delta exports', () => {
  it('when a student leaves a section, then the delta deletes exactly that membership', () => {
    const after = withoutEnrollment(
      before,
      studentEnrollment.userSourcedId,
      studentEnrollment.sectionSourcedId,
    );

    const delta = parseDelta(writeDeltaZip(before, after));

    expect(delta.deletions).toEqual({
      orgs: [],
      sections: [],
      users: [],
      memberships: [
        {
          sourcedId: studentEnrollment.sourcedId,
          sectionSourcedId: studentEnrollment.sectionSourcedId,
          userSourcedId: studentEnrollment.userSourcedId,
        },
      ],
    });
    expect(delta.upserts).toEqual({
      schools: [],
      sections: [],
      users: [],
      memberships: [],
      guardianLinks: [],
    });
    expect(delta.unresolvedReferences).toEqual([]);
    expect(delta.linkSetsRestatedFor).toEqual([]);
  });

  it('when a deletion row carries only its sourcedId, then the membership deletion has no section nor user', () => {
    const after = withoutEnrollment(
      before,
      studentEnrollment.userSourcedId,
      studentEnrollment.sectionSourcedId,
    );
    const sparse = rewriteZip(writeDeltaZip(before, after), 'enrollments.csv', (text) =>
      text.replace(/^(enr-\d+,tobedeleted,[^,]+),.*$/m, '$1,,,,,,,'),
    );
    expect(csvText(sparse, 'enrollments.csv')).toMatch(/tobedeleted,[^,]+,,,,,,,/);

    expect(parseDelta(sparse).deletions.memberships).toEqual([
      { sourcedId: studentEnrollment.sourcedId, sectionSourcedId: null, userSourcedId: null },
    ]);
  });

  it('when a guardian leaves, then the guardian is deleted and the students’ restated links exclude them', () => {
    const guardiansOf = (student: string) =>
      before.guardianLinks.filter((link) => link.studentSourcedId === student);
    const twoGuardians = before.guardianLinks.find((link) => guardiansOf(link.studentSourcedId).length === 2);
    if (!twoGuardians) throw new Error('no student has two guardians');
    const leaving = twoGuardians.guardianSourcedId;
    const after = withoutUser(before, leaving);
    const children = before.guardianLinks
      .filter((link) => link.guardianSourcedId === leaving)
      .map((link) => link.studentSourcedId);

    const delta = parseDelta(writeDeltaZip(before, after));

    expect(delta.deletions.users).toEqual([leaving]);
    expect(delta.upserts.users.map((user) => user.sourcedId).sort()).toEqual([...children].sort());
    expect([...delta.linkSetsRestatedFor].sort()).toEqual([...children].sort());
    const remaining = after.guardianLinks.filter((link) => children.includes(link.studentSourcedId));
    expect(remaining.length).toBeGreaterThan(0);
    expect(delta.upserts.guardianLinks).toEqual(
      remaining.map((link) => ({
        guardianSourcedId: link.guardianSourcedId,
        studentSourcedId: link.studentSourcedId,
      })),
    );
    expect(
      delta.unresolvedReferences.map((reference) => [
        reference.kind,
        reference.sourcedId,
        reference.expectedRole,
      ]),
    ).toEqual(remaining.map((link) => ['user', link.guardianSourcedId, 'guardian']));
  });

  it('when a student is enrolled in another section, then the membership is upserted and its references left to the importer', () => {
    const enrolled = new Set(
      before.enrollments
        .filter((enrollment) => enrollment.userSourcedId === 'stu-1')
        .map((enrollment) => enrollment.sectionSourcedId),
    );
    const section = before.sections.find((candidate) => !enrolled.has(candidate.sourcedId));
    if (!section) throw new Error('stu-1 is in every section');
    const after = withEnrollment(before, {
      userSourcedId: 'stu-1',
      sectionSourcedId: section.sourcedId,
      role: 'student',
    });
    const zip = writeDeltaZip(before, after);

    const delta = parseDelta(zip);

    expect(delta.upserts.memberships).toEqual([
      {
        sourcedId: `enr-${section.sourcedId}-stu-1`,
        sectionSourcedId: section.sourcedId,
        userSourcedId: 'stu-1',
        role: 'student',
        isPrimary: false,
        beginDate: null,
        endDate: null,
      },
    ]);
    expect(delta.unresolvedReferences).toEqual([
      { kind: 'section', sourcedId: section.sourcedId, expectedRole: null, file: 'enrollments.csv', line: 2 },
      { kind: 'user', sourcedId: 'stu-1', expectedRole: 'student', file: 'enrollments.csv', line: 2 },
    ]);
  });

  it('when a user is disabled in the SIS, then the delta upserts them inactive', () => {
    const after = withUserChanges(before, 'stu-2', { enabled: false });

    const delta = parseDelta(writeDeltaZip(before, after));

    expect(delta.upserts.users).toEqual([expect.objectContaining({ sourcedId: 'stu-2', active: false })]);
  });

  it('when a delta row has a blank status, then it is skipped with a warning on its line', () => {
    const after = withUserChanges(before, 'stu-2', { enabled: false });
    const zip = writeDeltaZip(before, after);

    const { snapshot, warnings } = parseDeltaAccepted(editCell(zip, 'users.csv', 'stu-2,', 'status', ''));

    expect(locations(warnings)).toEqual([{ file: 'users.csv', line: 2 }]);
    expect(warnings[0].message).toMatch(/status is required in a delta file/);
    expect(snapshot.upserts.users).toEqual([]);
  });

  it('when a delta row says Active or TOBEDELETED, then the case is not significant', () => {
    const zip = writeDeltaZip(before, withUserChanges(before, 'stu-2', { enabled: false }));

    const shouted = parseDelta(editCell(zip, 'users.csv', 'stu-2,', 'status', 'Active'));

    expect(shouted).toEqual(parseDelta(zip));
  });

  it('when a delta row lacks dateLastModified, then it is skipped with a warning on its line', () => {
    const zip = writeDeltaZip(before, withUserChanges(before, 'stu-2', { enabled: false }));

    const { warnings } = parseDeltaAccepted(editCell(zip, 'users.csv', 'stu-2,', 'dateLastModified', ''));

    expect(locations(warnings)).toEqual([{ file: 'users.csv', line: 2 }]);
  });

  it('when a delta enrolls someone in a class it also deletes, then that enrollment is skipped with a warning', () => {
    const section = studentEnrollment.sectionSourcedId;
    const withoutSection = {
      ...before,
      sections: before.sections.filter((candidate) => candidate.sourcedId !== section),
      enrollments: before.enrollments.filter((enrollment) => enrollment.sectionSourcedId !== section),
    };
    const dropped = writeDeltaZip(before, withoutSection);
    const prefix = `${studentEnrollment.sourcedId},`;
    const contradictory = editCell(dropped, 'enrollments.csv', prefix, 'status', 'active');

    const { snapshot, warnings } = parseDeltaAccepted(contradictory);

    expect(locations(warnings)).toEqual([
      { file: 'enrollments.csv', line: lineStartingWith(dropped, 'enrollments.csv', prefix) },
    ]);
    expect(warnings[0].message).toMatch(/is deleted by this delta \(classes.csv line 2\)/);
    expect(snapshot.upserts.memberships).toEqual([]);
  });

  it('when only some files change, then the others are listed absent and need not be in the zip', () => {
    const zip = writeDeltaZip(before, withUserChanges(before, 'stu-2', { enabled: false }));

    expect(csvText(zip, 'manifest.csv')).toMatch(/file\.users,delta\r\n/);
    expect(csvText(zip, 'manifest.csv')).toMatch(/file\.enrollments,absent\r\n/);
    expect(() => csvText(zip, 'enrollments.csv')).toThrow();
  });
});
