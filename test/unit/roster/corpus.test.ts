import {
  parseOneRosterZip,
  type RosterBulkSnapshot,
  type RosterFileError,
} from '../../../libs/domain/roster';
import { fixtureZip, withoutRows, type FixtureSet } from '../../support/oneroster-fixtures';

function accepted(set: FixtureSet): { snapshot: RosterBulkSnapshot; warnings: RosterFileError[] } {
  const result = parseOneRosterZip(fixtureZip(set));
  if (!result.ok) throw new Error(`${set} was refused: ${JSON.stringify(result.errors)}`);
  if (result.kind !== 'bulk') throw new Error(`${set} is not a bulk export`);
  return { snapshot: result.snapshot, warnings: result.warnings };
}

/** The snapshot as short strings, to pin what Homeroom takes from each set. */
function summary(snapshot: RosterBulkSnapshot) {
  return {
    schools: snapshot.schools.map((school) => school.sourcedId),
    sections: snapshot.sections.map((section) => `${section.sourcedId}@${section.schoolSourcedId}`),
    users: snapshot.users.map((user) => `${user.sourcedId}:${user.role}:${user.orgSourcedIds.join('+')}`),
    memberships: snapshot.memberships.map(
      (m) => `${m.sectionSourcedId}/${m.userSourcedId}/${m.role}${m.isPrimary ? '/primary' : ''}`,
    ),
    guardianLinks: snapshot.guardianLinks.map((link) => `${link.guardianSourcedId}>${link.studentSourcedId}`),
  };
}

describe('the OneRoster test corpus', () => {
  it('when the 1.1 set with vendor quirks is read, then everything it means is taken and only the doubtful rows are skipped', () => {
    const { snapshot, warnings } = accepted('v1.1-vendor-quirks');

    expect(summary(snapshot)).toEqual({
      schools: ['q-school-1', 'q-school-2'],
      sections: ['q-class-math@q-school-1', 'q-class-art@q-school-1', 'q-class-home@q-school-2'],
      users: [
        'q-t1:teacher:q-school-1',
        'q-t2:teacher:q-school-1',
        'q-t3:teacher:q-school-2',
        'q-s1:student:q-school-1',
        'q-s2:student:q-school-1',
        'q-s3:student:q-school-1',
        'q-s4:student:q-school-2',
        'q-g1:guardian:q-school-1',
        'q-g2:guardian:q-school-1',
      ],
      memberships: [
        'q-class-math/q-t1/teacher/primary',
        'q-class-math/q-s1/student',
        'q-class-math/q-s2/student',
        'q-class-art/q-t2/teacher/primary',
        'q-class-art/q-s1/student',
        'q-class-home/q-t3/teacher/primary',
        'q-class-home/q-s4/student',
      ],
      guardianLinks: ['q-g1>q-s1', 'q-g2>q-s2'],
    });
    expect(snapshot.memberships[1].beginDate).toBe('2025-08-15');
    expect(snapshot.users.find((user) => user.sourcedId === 'q-g1')?.preferredLanguage).toBe('es');
    expect(warnings).toEqual([
      {
        file: 'orgs.csv',
        line: 1,
        message: 'columns that OneRoster does not define are ignored: ext_acme_id',
      },
      {
        file: 'classes.csv',
        line: 1,
        message: 'columns that OneRoster does not define are ignored: ext_acme_section_id',
      },
      {
        file: 'users.csv',
        line: 1,
        message: 'columns that OneRoster does not define are ignored: ext_acme_id',
      },
      {
        file: 'users.csv',
        line: 10,
        message: "agentSourcedIds 'q-s9' is not in users.csv: that link is skipped",
      },
      {
        file: 'enrollments.csv',
        line: 7,
        message:
          "role teacher contradicts the role of user 'q-s3' in users.csv (student): the enrollment is skipped",
      },
      {
        file: 'enrollments.csv',
        line: 10,
        message:
          "role student contradicts the role of user 'q-g1' in users.csv (parent): the enrollment is skipped",
      },
    ]);
  });

  it('when the 1.0 set without a manifest is read, then its 1.0 column names map onto 1.1', () => {
    const { snapshot, warnings } = accepted('v1.0-no-manifest');

    expect(summary(snapshot)).toEqual({
      schools: ['o-school'],
      sections: ['o-class-1@o-school', 'o-class-2@o-school'],
      users: [
        'o-t1:teacher:o-school',
        'o-s1:student:o-school',
        'o-s2:student:o-school',
        'o-p1:guardian:o-school',
      ],
      memberships: [
        'o-class-1/o-t1/teacher/primary',
        'o-class-1/o-s1/student',
        'o-class-2/o-t1/teacher',
        'o-class-2/o-s2/student',
      ],
      guardianLinks: ['o-p1>o-s1', 'o-p1>o-s2'],
    });
    expect(snapshot.users.every((user) => user.active)).toBe(true);
    expect(warnings.map((warning) => `${warning.file}:${warning.line}`)).toEqual([
      'manifest.csv:0',
      'orgs.csv:1',
      'classes.csv:1',
      'users.csv:1',
    ]);
  });

  it('when the 1.2 set is read, then roles.csv gives each user their primary role and orgs', () => {
    const { snapshot, warnings } = accepted('v1.2-roles');

    expect(summary(snapshot)).toEqual({
      schools: ['v-school-a', 'v-school-b'],
      sections: ['v-class-1@v-school-a', 'v-class-2@v-school-b'],
      users: [
        'v-t1:teacher:v-school-a+v-school-b',
        'v-t2:teacher:v-school-b',
        'v-s1:student:v-school-a',
        'v-s2:student:v-school-a',
        'v-g1:guardian:v-school-a',
      ],
      memberships: [
        'v-class-1/v-t1/teacher/primary',
        'v-class-1/v-s1/student',
        'v-class-1/v-s2/student',
        'v-class-2/v-t2/teacher/primary',
        'v-class-2/v-s2/student',
      ],
      guardianLinks: ['v-g1>v-s1'],
    });
    expect(snapshot.skipped.administratorUsers).toBe(1);
    // v-x1 is a teacher and a guardian with no primary role: neither is granted, nor their enrollment.
    expect(warnings).toEqual([
      {
        file: 'users.csv',
        line: 7,
        message: 'roles.csv gives this user several roles and no single primary one',
      },
    ]);
  });

  it('when roles.csv gives a 1.2 user no role, then that user is skipped with a warning', () => {
    const result = parseOneRosterZip(fixtureZip('v1.2-roles', { 'roles.csv': withoutRows('v-r5') }));
    if (!result.ok || result.kind !== 'bulk') throw new Error('expected the set to be accepted');

    expect(result.snapshot.users.map((user) => user.sourcedId)).not.toContain('v-s2');
    expect(result.snapshot.memberships.map((m) => m.userSourcedId)).not.toContain('v-s2');
    expect(result.warnings).toContainEqual({
      file: 'users.csv',
      line: 5,
      message: 'roles.csv gives this user no role',
    });
  });

  it('when the mixed 1.0/1.1 set with a too-long row is read, then that row alone is skipped', () => {
    const { snapshot, warnings } = accepted('v1.1-mixed-names-long-row');

    expect(summary(snapshot).users).toEqual([
      'm-t1:teacher:m-school-1',
      'm-t2:teacher:m-school-2',
      'm-s1:student:m-school-1',
      'm-s3:student:m-school-2',
    ]);
    expect(summary(snapshot).memberships).toEqual([
      'm-class-1/m-t1/teacher/primary',
      'm-class-1/m-s1/student',
      'm-class-2/m-t1/teacher',
      'm-class-3/m-t2/teacher',
      'm-class-3/m-s3/student',
    ]);
    expect(warnings).toContainEqual({
      file: 'users.csv',
      line: 5,
      message: 'the row has 18 fields but the header has 17',
    });
    expect(warnings).toContainEqual({
      file: 'courses.csv',
      line: 0,
      message: 'the manifest lists courses.csv as bulk but the archive lacks it: read as absent',
    });
  });

  it('when every row of a small file would be skipped, then the export is refused rather than emptying the district', () => {
    const zip = fixtureZip('v1.0-no-manifest', {
      'users.csv': (text) => text.replace(/,(teacher|student|parent),/g, ',janitor,'),
    });

    const result = parseOneRosterZip(zip);

    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors[0]).toEqual({
      file: 'users.csv',
      line: 0,
      message: '4 of its 4 rows cannot be used: the export looks broken, so none of it is applied',
    });
  });

  it('when a set lacks the enrollments.csv its manifest lists, then it is refused as a whole', () => {
    const result = parseOneRosterZip(fixtureZip('invalid-missing-enrollments'));

    expect(result).toEqual({
      ok: false,
      errors: [
        {
          file: 'enrollments.csv',
          line: 0,
          message: 'the manifest lists enrollments.csv as bulk but the archive lacks it',
        },
      ],
    });
  });
});
