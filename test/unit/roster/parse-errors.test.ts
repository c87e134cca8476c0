import fc from 'fast-check';
import { ARCHIVE_FILE, parseOneRosterZip } from '../../../libs/domain/roster';
import { generateRoster, replaceZipEntries, rewriteZip } from '../../../libs/domain/roster/generator';
import {
  csvText,
  editCell,
  editLine,
  lineStartingWith,
  locations,
  parseAccepted,
  parseBulk,
  parseErrors,
} from './roster-test-helpers';
import { withCorruptCrc, withDeclaredSize, withEntryRenamed } from './zip-patching';

const base = generateRoster({
  seed: 7,
  students: 12,
  sections: 3,
  demographics: false,
  linkDeclaration: 'both',
});
const zip = base.zip;
const firstStudentEnrollment = base.model.enrollments.find((enrollment) => enrollment.role === 'student');
if (!firstStudentEnrollment) throw new Error('the base roster has no student enrollment');
const enrollmentPrefix = `${firstStudentEnrollment.sourcedId},`;
const baseline = parseBulk(zip);

const line = (file: string, prefix: string) => ({ file, line: lineStartingWith(zip, file, prefix) });
const userIds = (snapshot: typeof baseline) => snapshot.users.map((user) => user.sourcedId);
const partition = <T>(items: T[], test: (item: T) => boolean): [T[], T[]] => [
  items.filter(test),
  items.filter((item) => !test(item)),
];
const membershipsOf = (snapshot: typeof baseline, user: string) =>
  snapshot.memberships.filter((membership) => membership.userSourcedId === user);

describe('parseOneRosterZip reads headers by name', () => {
  it('when users.csv lacks a column Homeroom needs (username), then the header line is an error', () => {
    const broken = editLine(zip, 'users.csv', 'sourcedId,', (header) =>
      header.replace(',username,', ',login,'),
    );

    const errors = parseErrors(broken);

    expect(locations(errors)).toEqual([{ file: 'users.csv', line: 1 }]);
    expect(errors[0].message).toMatch(/required column 'username' is missing/);
  });

  it.each([['Role'], ['ROLE']])('when role is spelled %s, then the export reads the same', (spelling) => {
    const renamed = editLine(zip, 'users.csv', 'sourcedId,', (header) =>
      header.replace(',role,', `,${spelling},`),
    );

    expect(parseAccepted(renamed)).toEqual({ snapshot: baseline, warnings: [] });
  });

  it('when the first header cell is lowercased to sourcedid, then the export reads the same', () => {
    const renamed = editLine(zip, 'enrollments.csv', 'sourcedId,', (header) =>
      header.replace('sourcedId', 'sourcedid'),
    );

    expect(parseAccepted(renamed).snapshot).toEqual(baseline);
  });

  it('when vendor columns follow the spec columns, then they are ignored and named once in a warning on line 1', () => {
    const extended = rewriteZip(zip, 'classes.csv', (text) =>
      text.replace(/\r\n/g, ',x,y\r\n').replace(',x,y\r\n', ',ext_acme_id,nickname\r\n'),
    );

    const { snapshot, warnings } = parseAccepted(extended);

    expect(snapshot).toEqual(baseline);
    expect(warnings).toEqual([
      {
        file: 'classes.csv',
        line: 1,
        message: 'columns that OneRoster does not define are ignored: ext_acme_id, nickname',
      },
    ]);
  });

  it('when the extra column is a metadata.* column, then it is read without a warning', () => {
    const extended = rewriteZip(zip, 'classes.csv', (text) =>
      text.replace(/\r\n/g, ',x\r\n').replace(',x\r\n', ',metadata.room\r\n'),
    );
    expect(csvText(extended, 'classes.csv')).toMatch(/,periods,metadata\.room\r\n/);

    expect(parseAccepted(extended)).toEqual({ snapshot: baseline, warnings: [] });
  });

  it('when two columns swap places in the header, then each is read by its name', () => {
    const swapped = editLine(zip, 'users.csv', 'sourcedId,', (header) =>
      header.replace('givenName,familyName', 'familyName,givenName'),
    );

    const teacher = parseBulk(swapped).users.find((user) => user.sourcedId === 'tch-1')!;
    const before = baseline.users.find((user) => user.sourcedId === 'tch-1')!;

    expect([teacher.givenName, teacher.familyName]).toEqual([before.familyName, before.givenName]);
  });

  it('when a column appears under its 1.1 and its 1.0 name, then the header is an error', () => {
    const doubled = rewriteZip(zip, 'users.csv', (text) =>
      text.replace(/\r\n/g, ',\r\n').replace(',\r\n', ',agents\r\n'),
    );

    const errors = parseErrors(doubled);

    expect(locations(errors)).toEqual([{ file: 'users.csv', line: 1 }]);
    expect(errors[0].message).toMatch(/'agentSourcedIds' appears twice/);
  });

  it('when users.csv is empty, then the whole file is an error', () => {
    const broken = replaceZipEntries(zip, { 'users.csv': '' });

    expect(locations(parseErrors(broken))).toEqual([{ file: 'users.csv', line: 0 }]);
  });
});

describe('parseOneRosterZip tolerates what has one meaning', () => {
  it('when bulk rows say status active in any letter case, then they are read as rows', () => {
    let active = editCell(zip, 'users.csv', 'tch-1,', 'status', 'active');
    active = editCell(active, 'users.csv', 'stu-1,', 'status', 'Active');

    expect(parseAccepted(active)).toEqual({ snapshot: baseline, warnings: [] });
  });

  it('when a bulk row says tobedeleted, then it is absent: the user and their enrollments are not in the snapshot', () => {
    const deleted = editCell(zip, 'users.csv', 'tch-1,', 'status', 'tobedeleted');

    const { snapshot, warnings } = parseAccepted(deleted);

    expect(warnings).toEqual([]);
    expect(userIds(snapshot)).not.toContain('tch-1');
    expect(membershipsOf(snapshot, 'tch-1')).toEqual([]);
    expect(membershipsOf(baseline, 'tch-1').length).toBeGreaterThan(0);
  });

  it('when enumerations come in another letter case (Scheduled, Student, SCHOOL), then they read as the spec spells them', () => {
    let cased = rewriteZip(zip, 'classes.csv', (text) => text.replace(/,scheduled,/g, ',Scheduled,'));
    cased = rewriteZip(cased, 'enrollments.csv', (text) => text.replace(/,student,/g, ',Student,'));
    cased = editCell(cased, 'orgs.csv', 'sch-1,', 'type', 'SCHOOL');
    expect(csvText(cased, 'classes.csv')).toContain(',Scheduled,');

    expect(parseAccepted(cased)).toEqual({ snapshot: baseline, warnings: [] });
  });

  it('when dates come with a time, then they are read as their date', () => {
    const timed = editCell(zip, 'enrollments.csv', enrollmentPrefix, 'beginDate', '2025-08-20T00:00:00Z');

    const membership = parseBulk(timed).memberships.find(
      (row) => row.sourcedId === firstStudentEnrollment.sourcedId,
    );

    expect(membership?.beginDate).toBe('2025-08-20');
  });

  it('when booleans come in spreadsheet capitals (TRUE/FALSE), then they are accepted', () => {
    const shouted = rewriteZip(zip, 'enrollments.csv', (text) =>
      text.replace(/,true,/g, ',TRUE,').replace(/,false,/g, ',FALSE,'),
    );
    expect(csvText(shouted, 'enrollments.csv')).not.toMatch(/,(true|false),/);

    expect(parseBulk(shouted).memberships.filter((membership) => membership.isPrimary)).toHaveLength(3);
  });

  it('when a class has no course and its course is not in the files, then the class is still read', () => {
    let courseless = editCell(zip, 'classes.csv', 'cls-1,', 'courseSourcedId', '');
    courseless = editCell(courseless, 'classes.csv', 'cls-2,', 'courseSourcedId', 'crs-404');
    courseless = editCell(courseless, 'orgs.csv', 'sch-1,', 'parentSourcedId', 'org-404');

    expect(parseAccepted(courseless)).toEqual({ snapshot: baseline, warnings: [] });
  });

  it('when a list cell is quoted, then its items are read as a list', () => {
    const listed = editCell(zip, 'users.csv', 'stu-1,', 'orgSourcedIds', 'sch-1, org-district');
    expect(csvText(listed, 'users.csv')).toContain('"sch-1, org-district"');

    const student = parseBulk(listed).users.find((user) => user.sourcedId === 'stu-1');

    expect(student?.orgSourcedIds).toEqual(['sch-1', 'org-district']);
  });
});

describe('parseOneRosterZip skips rows it cannot trust, with a warning naming file and line', () => {
  it('when a user has an unknown role, then only that user’s line is a warning and nothing of theirs is granted', () => {
    const broken = editCell(zip, 'users.csv', 'stu-3,', 'role', 'janitor');

    const { snapshot, warnings } = parseAccepted(broken);

    expect(locations(warnings)).toEqual([line('users.csv', 'stu-3,')]);
    expect(warnings[0].message).toMatch(/role 'janitor' is not one of/);
    expect(userIds(snapshot)).not.toContain('stu-3');
    expect(membershipsOf(snapshot, 'stu-3')).toEqual([]);
    expect(snapshot.guardianLinks.filter((link) => link.studentSourcedId === 'stu-3')).toEqual([]);
    expect(userIds(snapshot)).toHaveLength(baseline.users.length - 1);
  });

  it.each([
    [
      'classSourcedId',
      'cls-404',
      "classSourcedId 'cls-404' is not in classes.csv: the enrollment is skipped",
    ],
    ['userSourcedId', 'stu-404', "userSourcedId 'stu-404' is not in users.csv: the enrollment is skipped"],
  ])(
    'when an enrollment names an unknown %s, then its line is a warning and it is skipped',
    (column, value, message) => {
      const broken = editCell(zip, 'enrollments.csv', enrollmentPrefix, column, value);

      const { snapshot, warnings } = parseAccepted(broken);

      expect(warnings).toEqual([{ ...line('enrollments.csv', enrollmentPrefix), message }]);
      expect(snapshot.memberships).toHaveLength(baseline.memberships.length - 1);
    },
  );

  it('when two enrollments share a sourcedId, then the second one’s line is a warning naming the first', () => {
    const [first, second] = base.model.enrollments;
    const broken = editCell(zip, 'enrollments.csv', `${second.sourcedId},`, 'sourcedId', first.sourcedId);

    const { warnings } = parseAccepted(broken);

    const firstLine = lineStartingWith(zip, 'enrollments.csv', `${first.sourcedId},`);
    expect(warnings).toEqual([
      {
        ...line('enrollments.csv', `${second.sourcedId},`),
        message: `duplicate sourcedId '${first.sourcedId}' (first on line ${firstLine})`,
      },
    ]);
  });

  it.each([
    ['users.csv', 'stu-2,', 'enabledUser', 'yes', /enabledUser must be true or false/],
    ['users.csv', 'stu-2,', 'username', '', /username is required/],
    ['users.csv', 'stu-2,', 'status', 'gone', /status 'gone' is not one of active, tobedeleted/],
    ['users.csv', 'stu-2,', 'metadata.preferredLanguage', 'Spanish!', /not a language tag/],
    [
      'classes.csv',
      'cls-2,',
      'classType',
      'lecture',
      /classType 'lecture' is not one of homeroom, scheduled/,
    ],
    ['orgs.csv', 'sch-1,', 'type', 'campus', /type 'campus' is not one of/],
    ['enrollments.csv', enrollmentPrefix, 'primary', 'maybe', /primary must be true or false/],
  ])('when %s has %s %s=%s, then that line is a warning', (file, prefix, column, value, message) => {
    const broken = editCell(zip, file, prefix, column, value);

    const { warnings } = parseAccepted(broken);

    expect(locations(warnings)).toEqual([line(file, prefix)]);
    expect(warnings[0].message).toMatch(message);
  });

  it('when a row has no sourcedId, then it is skipped and whatever names that user is skipped too', () => {
    const broken = editCell(zip, 'users.csv', 'stu-2,', 'sourcedId', '');

    const { snapshot, warnings } = parseAccepted(broken);

    expect(warnings[0]).toEqual({ ...line('users.csv', 'stu-2,'), message: 'sourcedId is required' });
    expect(warnings.slice(1).every((warning) => warning.message.includes("'stu-2'"))).toBe(true);
    expect(userIds(snapshot)).not.toContain('stu-2');
    expect(membershipsOf(snapshot, 'stu-2')).toEqual([]);
  });

  it('when two users share a username, then the second is skipped: one login cannot be two people', () => {
    const broken = editCell(zip, 'users.csv', 'stu-2,', 'username', 'stu1');

    const { snapshot, warnings } = parseAccepted(broken);

    expect(warnings[0]).toEqual({
      ...line('users.csv', 'stu-2,'),
      message: `username is already used by sourcedId 'stu-1' (line ${lineStartingWith(zip, 'users.csv', 'stu-1,')}): the user is skipped`,
    });
    expect(warnings).toHaveLength(1);
    expect(userIds(snapshot)).toContain('stu-1');
    expect(userIds(snapshot)).not.toContain('stu-2');
    expect(membershipsOf(snapshot, 'stu-2')).toEqual([]);
    expect(snapshot.guardianLinks.filter((link) => link.studentSourcedId === 'stu-2')).toEqual([]);
  });

  it('when a student is enrolled with the teacher role, then that enrollment is skipped as contradicting users.csv', () => {
    const broken = editCell(zip, 'enrollments.csv', enrollmentPrefix, 'role', 'teacher');

    const { snapshot, warnings } = parseAccepted(broken);

    expect(locations(warnings)).toEqual([line('enrollments.csv', enrollmentPrefix)]);
    expect(warnings[0].message).toMatch(
      /role teacher contradicts the role of user '.*' in users.csv \(student\)/,
    );
    expect(
      snapshot.memberships.filter((membership) => membership.role === 'teacher').map((m) => m.userSourcedId),
    ).not.toContain(firstStudentEnrollment.userSourcedId);
    expect(snapshot.memberships).toHaveLength(baseline.memberships.length - 1);
  });

  it('when a class names a district org as its school, then the class is skipped, and its enrollments with it', () => {
    const broken = editCell(zip, 'classes.csv', 'cls-1,', 'schoolSourcedId', 'org-district');

    const { snapshot, warnings } = parseAccepted(broken);

    expect(locations(warnings)).toEqual([line('classes.csv', 'cls-1,')]);
    expect(warnings[0].message).toMatch(/type district, not a school: the class is skipped/);
    expect(snapshot.sections.map((section) => section.sourcedId)).not.toContain('cls-1');
    expect(snapshot.memberships.filter((membership) => membership.sectionSourcedId === 'cls-1')).toEqual([]);
    expect(snapshot.memberships.length).toBeLessThan(baseline.memberships.length);
  });

  it('when a user belongs to an unknown org, then that org is dropped from the user, who is kept', () => {
    const broken = editCell(zip, 'users.csv', 'gdn-1,', 'orgSourcedIds', 'sch-1,sch-9');

    const { snapshot, warnings } = parseAccepted(broken);

    expect(locations(warnings)).toEqual([line('users.csv', 'gdn-1,')]);
    expect(snapshot.users.find((user) => user.sourcedId === 'gdn-1')?.orgSourcedIds).toEqual(['sch-1']);
  });

  it.each([
    ['stu-1,', 'gdn-404', /'gdn-404' is not in users.csv: that link is skipped/],
    ['stu-1,', 'stu-2', /only a guardian .* and a student can be linked/],
    ['tch-1,', 'stu-1', /agentSourcedIds is set on a teacher/],
  ])(
    'when %s declares agents %s, then the line is a warning and no link is made from it',
    (prefix, agents, message) => {
      const declaring = prefix.slice(0, -1);
      const broken = editCell(zip, 'users.csv', prefix, 'agentSourcedIds', agents);

      const { snapshot, warnings } = parseAccepted(broken);

      expect(locations(warnings)).toEqual([line('users.csv', prefix)]);
      expect(warnings[0].message).toMatch(message);
      expect(userIds(snapshot)).toContain(declaring);
      for (const agent of agents.split(',')) {
        expect(snapshot.guardianLinks).not.toContainEqual(
          expect.objectContaining({ guardianSourcedId: agent, studentSourcedId: declaring }),
        );
        expect(snapshot.guardianLinks).not.toContainEqual(
          expect.objectContaining({ guardianSourcedId: declaring, studentSourcedId: agent }),
        );
      }
    },
  );

  it('when a row has one field more than the header (an unquoted list), then only that row is skipped', () => {
    const broken = editLine(zip, 'users.csv', 'tch-1,', (row) =>
      row.replace(',sch-1,', ',sch-1,org-district,'),
    );

    const { snapshot, warnings } = parseAccepted(broken);

    expect(warnings).toEqual([
      { ...line('users.csv', 'tch-1,'), message: 'the row has 20 fields but the header has 19' },
    ]);
    expect(userIds(snapshot)).not.toContain('tch-1');
    expect(membershipsOf(snapshot, 'tch-1')).toEqual([]);
    expect(snapshot.memberships).toHaveLength(
      baseline.memberships.length - membershipsOf(baseline, 'tch-1').length,
    );
  });

  it('when several files hold bad rows, then every one is a warning, in file then line order', () => {
    let broken = editCell(zip, 'users.csv', 'stu-3,', 'role', 'janitor');
    broken = editCell(broken, 'users.csv', 'stu-1,', 'enabledUser', 'no');
    broken = editCell(broken, 'classes.csv', 'cls-2,', 'classType', 'lecture');
    broken = editCell(broken, 'enrollments.csv', enrollmentPrefix, 'classSourcedId', 'cls-404');

    expect(locations(parseAccepted(broken).warnings)).toEqual([
      line('classes.csv', 'cls-2,'),
      line('users.csv', 'stu-1,'),
      line('users.csv', 'stu-3,'),
      line('enrollments.csv', enrollmentPrefix),
    ]);
  });

  it('when more than a tenth of a file’s rows would be skipped, then the export is refused with every row as an error', () => {
    const broken = rewriteZip(zip, 'users.csv', (text) =>
      text.replace(/,(student|teacher|parent|guardian|relative),/g, ',janitor,'),
    );

    const errors = parseErrors(broken);

    expect(errors[0]).toEqual({
      file: 'users.csv',
      line: 0,
      message: expect.stringMatching(/^\d+ of its \d+ rows cannot be used/),
    });
    expect(errors.slice(1).every((error) => error.file === 'users.csv' && error.line > 1)).toBe(true);
    expect(errors).toHaveLength(baseline.users.length + 1);
  });

  it('when users.csv has no role column and there is no roles.csv, then every user is skipped and the export is refused', () => {
    const roleless = rewriteZip(zip, 'users.csv', (text) =>
      text
        .split('\r\n')
        .map((row) => {
          const cells = row.split(',');
          return row ? [...cells.slice(0, 5), ...cells.slice(6)].join(',') : row;
        })
        .join('\r\n'),
    );

    const errors = parseErrors(roleless);

    expect(errors[0].message).toMatch(/rows cannot be used/);
    expect(errors[1].message).toBe('users.csv has no role column and the export has no roles.csv');
  });
});

describe('parseOneRosterZip reads CSV text exactly', () => {
  it('when every file starts with a byte order mark, then the export parses the same', () => {
    let withBom = zip;
    for (const file of ['manifest.csv', 'orgs.csv', 'users.csv', 'classes.csv', 'enrollments.csv']) {
      withBom = rewriteZip(withBom, file, (text) => `\uFEFF${text}`);
    }
    expect(csvText(withBom, 'users.csv').charCodeAt(0)).toBe(0xfeff);

    expect(parseBulk(withBom)).toEqual(parseBulk(zip));
  });

  it('when a title spans two physical lines, then later rows are reported by their physical line', () => {
    const multiLine = editCell(zip, 'classes.csv', 'cls-2,', 'title', 'Biology\nlab group');
    const broken = editCell(multiLine, 'classes.csv', 'cls-3,', 'classType', 'lecture');

    expect(parseBulk(multiLine).sections.find((section) => section.sourcedId === 'cls-2')?.title).toBe(
      'Biology\nlab group',
    );
    expect(locations(parseAccepted(broken).warnings)).toEqual([
      { file: 'classes.csv', line: lineStartingWith(zip, 'classes.csv', 'cls-3,') + 1 },
    ]);
  });

  it('when a quoted field is never closed, then the line it opens on is an error', () => {
    const broken = rewriteZip(zip, 'users.csv', (text) =>
      text.replace(/"/g, '').replace(',stu4,', ',"stu4,'),
    );

    expect(locations(parseErrors(broken))).toEqual([line('users.csv', 'stu-4,')]);
  });

  it('when a quote left open closes on a later line, then the rows it swallowed make the file an error', () => {
    const broken = editLine(zip, 'users.csv', 'tch-1,', (row) => row.replace(',tch1,', ',"tch1,'));

    const errors = parseErrors(broken);

    expect(locations(errors)).toEqual([line('users.csv', 'tch-1,')]);
    expect(errors[0].message).toMatch(/a quote is probably missing/);
  });

  it('when a quote appears inside an unquoted field, then that line is skipped with a warning and the rest is read', () => {
    let broken = editLine(zip, 'users.csv', 'stu-4,', (row) => row.replace(',stu4,', ',st"u4,'));
    broken = editLine(broken, 'users.csv', 'stu-6,', (row) => row.replace(',stu6,', ',st"u6,'));

    const { snapshot, warnings } = parseAccepted(broken);

    const [syntax, consequences] = partition(warnings, (warning) => /quote inside/.test(warning.message));
    expect(locations(syntax)).toEqual([line('users.csv', 'stu-4,'), line('users.csv', 'stu-6,')]);
    // The line's sourcedId is unknown, so what names stu-4 or stu-6 is skipped and said so.
    expect(consequences.every((warning) => /'stu-[46]'/.test(warning.message))).toBe(true);
    expect(userIds(snapshot)).not.toContain('stu-4');
    expect(userIds(snapshot)).toHaveLength(baseline.users.length - 2);
  });

  it('when a line is not valid UTF-8, then that line is an error', () => {
    const at = lineStartingWith(zip, 'orgs.csv', 'sch-1,');
    const lines = csvText(zip, 'orgs.csv').split('\r\n');
    const bytes = Buffer.concat([
      Buffer.from(lines.slice(0, at - 1).join('\r\n') + '\r\n'),
      Buffer.from([0x73, 0xff, 0xfe]),
      Buffer.from(lines.slice(at - 1).join('\r\n')),
    ]);
    const broken = replaceZipEntries(zip, { 'orgs.csv': bytes });

    expect(locations(parseErrors(broken))).toEqual([{ file: 'orgs.csv', line: at }]);
  });
});

describe('parseOneRosterZip checks the manifest', () => {
  it.each([['1.0'], ['1.2']])('when oneroster.version is %s, then the export is read', (version) => {
    const relabelled = editLine(
      zip,
      'manifest.csv',
      'oneroster.version,',
      () => `oneroster.version,${version}`,
    );

    expect(parseAccepted(relabelled)).toEqual({ snapshot: baseline, warnings: [] });
  });

  it('when oneroster.version is one Homeroom does not read, then its line is an error', () => {
    const broken = editLine(zip, 'manifest.csv', 'oneroster.version,', () => 'oneroster.version,2.0');

    const errors = parseErrors(broken);

    expect(locations(errors)).toEqual([line('manifest.csv', 'oneroster.version,')]);
    expect(errors[0].message).toMatch(/'oneroster.version' is '2.0'/);
  });

  it('when manifest.csv is missing but the roster files are there, then it is read as a OneRoster 1.0 bulk export', () => {
    const { snapshot, warnings } = parseAccepted(replaceZipEntries(zip, { 'manifest.csv': null }));

    expect(snapshot).toEqual(baseline);
    expect(warnings).toEqual([
      {
        file: 'manifest.csv',
        line: 0,
        message: expect.stringMatching(/read as a OneRoster 1.0 bulk export/),
      },
    ]);
  });

  it('when manifest.csv and a required file are missing, then the whole archive is an error', () => {
    const partial = replaceZipEntries(zip, { 'manifest.csv': null, 'enrollments.csv': null });

    expect(locations(parseErrors(partial))).toEqual([{ file: 'manifest.csv', line: 0 }]);
  });

  it('when the files sit in a folder inside the zip, then the message says to zip the files themselves', () => {
    const nested = replaceZipEntries(zip, {
      'manifest.csv': null,
      'export/manifest.csv': csvText(zip, 'manifest.csv'),
    });

    expect(parseErrors(nested)[0].message).toMatch(/found export\/manifest.csv/);
  });

  it('when a file mode is neither absent, bulk nor delta, then its line is an error', () => {
    const broken = editLine(zip, 'manifest.csv', 'file.courses,', () => 'file.courses,full');

    expect(locations(parseErrors(broken))).toEqual([line('manifest.csv', 'file.courses,')]);
  });

  it('when file modes come in capitals, then they are read', () => {
    const shouted = editLine(zip, 'manifest.csv', 'file.users,', () => 'file.users,BULK');

    expect(parseAccepted(shouted).snapshot).toEqual(baseline);
  });

  it('when the manifest mixes bulk and delta files, then the manifest as a whole is an error', () => {
    const broken = editLine(zip, 'manifest.csv', 'file.courses,', () => 'file.courses,delta');

    expect(locations(parseErrors(broken))).toEqual([{ file: 'manifest.csv', line: 0 }]);
  });

  it('when a bulk manifest lists users.csv as absent, then that line is an error', () => {
    const broken = editLine(zip, 'manifest.csv', 'file.users,', () => 'file.users,absent');

    const errors = parseErrors(broken);

    expect(locations(errors)).toEqual([line('manifest.csv', 'file.users,')]);
    expect(errors[0].message).toMatch(/bulk import needs users.csv/);
  });

  it('when a bulk manifest does not declare enrollments at all, then the whole manifest is an error', () => {
    const broken = editLine(zip, 'manifest.csv', 'file.enrollments,', () => '');

    const errors = parseErrors(broken);

    expect(locations(errors)).toEqual([{ file: 'manifest.csv', line: 0 }]);
    expect(errors[0].message).toMatch(/bulk import needs enrollments.csv/);
  });

  it('when a required file is listed as bulk but missing from the zip, then that file is an error', () => {
    expect(locations(parseErrors(replaceZipEntries(zip, { 'classes.csv': null })))).toEqual([
      { file: 'classes.csv', line: 0 },
    ]);
  });

  it('when courses.csv is listed as bulk but missing from the zip, then it is read as absent with a warning', () => {
    const { snapshot, warnings } = parseAccepted(replaceZipEntries(zip, { 'courses.csv': null }));

    expect(snapshot).toEqual(baseline);
    expect(locations(warnings)).toEqual([{ file: 'courses.csv', line: 0 }]);
  });

  it('when courses and academicSessions are not declared and left out, then the export is accepted', () => {
    let trimmed = replaceZipEntries(zip, { 'courses.csv': null, 'academicSessions.csv': null });
    trimmed = editLine(trimmed, 'manifest.csv', 'file.courses,', () => '');
    trimmed = editLine(trimmed, 'manifest.csv', 'file.academicSessions,', () => '');

    expect(parseAccepted(trimmed)).toEqual({ snapshot: baseline, warnings: [] });
  });

  it('when the manifest lists a file OneRoster does not define, then it is ignored with a warning', () => {
    const extended = rewriteZip(zip, 'manifest.csv', (text) => `${text}\r\nfile.acmeGrades,bulk\r\n`);

    const { snapshot, warnings } = parseAccepted(extended);

    expect(snapshot).toEqual(baseline);
    expect(warnings).toEqual([
      expect.objectContaining({ file: 'manifest.csv', message: expect.stringMatching(/file.acmeGrades/) }),
    ]);
  });
});

describe('parseOneRosterZip defends against hostile archives', () => {
  it.each([
    ['../evil.csv'],
    ['/etc/cron.d/evil'],
    ['C:/evil.csv'],
    ['a\\..\\evil.csv'],
    ['nested/../../evil.csv'],
  ])('when an entry is named %s, then the archive is refused naming that entry', (name) => {
    const hostile = replaceZipEntries(zip, { [name]: 'x' });

    const errors = parseErrors(hostile);

    expect(locations(errors)).toEqual([{ file: name, line: 0 }]);
    expect(errors[0].message).toMatch(/^refused/);
  });

  it('when the archive declares more uncompressed bytes than the limit, then it is refused before inflating', () => {
    const errors = parseErrors(zip, { maxUncompressedBytes: 1_000 });

    expect(locations(errors)).toEqual([{ file: ARCHIVE_FILE, line: 0 }]);
    expect(errors[0].message).toMatch(/more than the limit of 1000/);
  });

  it('when an entry declares 600 MiB (a zip bomb), then the default limit refuses the archive', () => {
    const bomb = withDeclaredSize(zip, 'enrollments.csv', 600 * 1024 * 1024);

    expect(locations(parseErrors(bomb))).toEqual([{ file: ARCHIVE_FILE, line: 0 }]);
  });

  it('when an entry inflates far beyond the size it declares, then inflation stops and the entry is refused', () => {
    const zeros = Buffer.alloc(16 * 1024 * 1024);
    const bomb = withDeclaredSize(replaceZipEntries(zip, { 'users.csv': zeros }), 'users.csv', 1_024);
    expect(bomb.length).toBeLessThan(zip.length + 100 * 1024);

    const started = process.hrtime.bigint();
    const errors = parseErrors(bomb);
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;

    expect(locations(errors)).toEqual([{ file: 'users.csv', line: 0 }]);
    expect(errors[0].message).toMatch(/inflates beyond the 1024 bytes it declares/);
    expect(elapsedMs).toBeLessThan(1_000);
  });

  it('when an entry’s CRC does not match its content, then the entry is refused', () => {
    expect(locations(parseErrors(withCorruptCrc(zip, 'orgs.csv')))).toEqual([{ file: 'orgs.csv', line: 0 }]);
  });

  it('when two entries carry the same name, then the archive is refused', () => {
    const twins = withEntryRenamed(zip, 'courses.csv', 'classes.csv', 'both');

    const errors = parseErrors(twins);

    expect(locations(errors)).toEqual([{ file: 'classes.csv', line: 0 }]);
    expect(errors[0].message).toMatch(/two entries with this name/);
  });

  it('when the local header names another file than the central directory, then the entry is refused', () => {
    const forged = withEntryRenamed(zip, 'users.csv', 'users.cs_', 'local');

    expect(locations(parseErrors(forged))).toEqual([{ file: 'users.csv', line: 0 }]);
  });

  it('when the bytes are not a zip at all, then the archive is refused as a whole', () => {
    expect(locations(parseErrors(new TextEncoder().encode('sourcedId,name\r\n')))).toEqual([
      { file: ARCHIVE_FILE, line: 0 },
    ]);
  });

  it('when demographics.csv is listed and present but broken in every way, then it is never read', () => {
    const withJunk = generateRoster({
      seed: 7,
      students: 12,
      sections: 3,
      demographics: true,
      linkDeclaration: 'both',
    });
    const junk = replaceZipEntries(withJunk.zip, { 'demographics.csv': new Uint8Array([0xff, 0xfe, 0x22]) });

    expect(parseBulk(junk)).toEqual(parseBulk(zip));
  });
});

describe('parseOneRosterZip never throws on hostile input', () => {
  const answers = (candidate: Uint8Array) => {
    const result = parseOneRosterZip(candidate);
    return result.ok || (result.errors.length > 0 && result.errors.every((error) => error.line >= 0));
  };

  it('when bytes of the archive are overwritten at random, then it answers with a result', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        (edits) => {
          const corrupted = zip.slice();
          for (const [position, value] of edits) corrupted[position % corrupted.length] = value;
          expect(answers(corrupted)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('when a CSV is spliced with arbitrary text, then it answers with a result', () => {
    const files = ['manifest.csv', 'orgs.csv', 'classes.csv', 'users.csv', 'enrollments.csv'];
    fc.assert(
      fc.property(
        fc.constantFrom(...files),
        fc.nat(),
        fc.string({
          unit: fc.constantFrom('a', ',', '"', '\n', '\r', '\uFEFF', 'é', 'stu-1', 'tobedeleted', 'true'),
        }),
        (file, position, insert) => {
          const spliced = rewriteZip(zip, file, (text) => {
            const at = position % (text.length + 1);
            return text.slice(0, at) + insert + text.slice(at);
          });
          expect(answers(spliced)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
