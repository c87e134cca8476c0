import fc from 'fast-check';
import { ARCHIVE_FILE, parseOneRosterZip } from '../../../libs/roster';
import { generateRoster, replaceZipEntries, rewriteZip } from '../../../libs/roster/generator';
import {
  csvText,
  editCell,
  editLine,
  lineStartingWith,
  locations,
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

describe('parseOneRosterZip refuses malformed headers', () => {
  it('when users.csv lacks the role column, then the header line is reported', () => {
    const broken = editLine(zip, 'users.csv', 'sourcedId,', (line) => line.replace(',role,', ','));

    const errors = parseErrors(broken);

    expect(locations(errors)).toEqual([{ file: 'users.csv', line: 1 }]);
    expect(errors[0].message).toMatch(/required column 'role' is missing/);
  });

  it.each([['Role'], ['ROLE']])(
    'when a column is spelled %s instead of role, then line 1 names the exact spelling',
    (spelling) => {
      const broken = editLine(zip, 'users.csv', 'sourcedId,', (line) =>
        line.replace(',role,', `,${spelling},`),
      );

      const errors = parseErrors(broken);

      expect(locations(errors)).toEqual([{ file: 'users.csv', line: 1 }]);
      expect(errors[0].message).toMatch(/must be spelled exactly 'role'/);
    },
  );

  it('when the first header cell is lowercased to sourcedid, then line 1 is reported', () => {
    const broken = editLine(zip, 'enrollments.csv', 'sourcedId,', (line) =>
      line.replace('sourcedId', 'sourcedid'),
    );

    expect(locations(parseErrors(broken))).toEqual([{ file: 'enrollments.csv', line: 1 }]);
  });

  it('when an unknown non-metadata column follows the spec columns, then line 1 is reported', () => {
    const broken = rewriteZip(zip, 'classes.csv', (text) =>
      text.replace(/\r\n/g, ',x\r\n').replace(',x\r\n', ',nickname\r\n'),
    );

    const errors = parseErrors(broken);

    expect(locations(errors)).toEqual([{ file: 'classes.csv', line: 1 }]);
    expect(errors[0].message).toMatch(/unknown column 'nickname'/);
  });

  it('when the extra column is a metadata.* column, then the export is accepted', () => {
    const extended = rewriteZip(zip, 'classes.csv', (text) =>
      text.replace(/\r\n/g, ',x\r\n').replace(',x\r\n', ',metadata.room\r\n'),
    );
    expect(csvText(extended, 'classes.csv')).toMatch(/,periods,metadata\.room\r\n/);

    expect(parseBulk(extended).sections).toHaveLength(3);
  });

  it('when two spec columns are swapped, then line 1 asks for the OneRoster order', () => {
    const broken = editLine(zip, 'users.csv', 'sourcedId,', (line) =>
      line.replace('givenName,familyName', 'familyName,givenName'),
    );

    const errors = parseErrors(broken);

    expect(locations(errors)).toEqual([{ file: 'users.csv', line: 1 }]);
    expect(errors[0].message).toMatch(/OneRoster order/);
  });

  it('when users.csv is empty, then the whole file is reported', () => {
    const broken = replaceZipEntries(zip, { 'users.csv': '' });

    expect(locations(parseErrors(broken))).toEqual([{ file: 'users.csv', line: 0 }]);
  });
});

describe('parseOneRosterZip refuses invalid rows, naming file and line', () => {
  it('when a user has an unknown role, then that user’s line is reported and nothing else', () => {
    const broken = editCell(zip, 'users.csv', 'stu-3,', 'role', 'principal');

    const errors = parseErrors(broken);

    expect(locations(errors)).toEqual([
      { file: 'users.csv', line: lineStartingWith(zip, 'users.csv', 'stu-3,') },
    ]);
    expect(errors[0].message).toMatch(/role 'principal' is not one of/);
  });

  it('when an enrollment names an unknown class, then the enrollment’s line is reported', () => {
    const broken = editCell(
      zip,
      'enrollments.csv',
      `${firstStudentEnrollment.sourcedId},`,
      'classSourcedId',
      'cls-404',
    );

    const errors = parseErrors(broken);

    expect(locations(errors)).toEqual([
      {
        file: 'enrollments.csv',
        line: lineStartingWith(zip, 'enrollments.csv', `${firstStudentEnrollment.sourcedId},`),
      },
    ]);
    expect(errors[0].message).toBe("classSourcedId 'cls-404' is not in classes.csv");
  });

  it('when an enrollment names an unknown user, then the enrollment’s line is reported', () => {
    const broken = editCell(
      zip,
      'enrollments.csv',
      `${firstStudentEnrollment.sourcedId},`,
      'userSourcedId',
      'stu-404',
    );

    expect(locations(parseErrors(broken))).toEqual([
      {
        file: 'enrollments.csv',
        line: lineStartingWith(zip, 'enrollments.csv', `${firstStudentEnrollment.sourcedId},`),
      },
    ]);
  });

  it('when two enrollments share a sourcedId, then the second one’s line is reported with the first’s', () => {
    const [first, second] = base.model.enrollments;
    const broken = editCell(zip, 'enrollments.csv', `${second.sourcedId},`, 'sourcedId', first.sourcedId);

    const errors = parseErrors(broken);

    const firstLine = lineStartingWith(zip, 'enrollments.csv', `${first.sourcedId},`);
    expect(locations(errors)).toEqual([
      { file: 'enrollments.csv', line: lineStartingWith(zip, 'enrollments.csv', `${second.sourcedId},`) },
    ]);
    expect(errors[0].message).toBe(`duplicate sourcedId '${first.sourcedId}' (first on line ${firstLine})`);
  });

  it('when a bulk row carries a status, then its line is reported', () => {
    const broken = editCell(zip, 'users.csv', 'tch-1,', 'status', 'active');

    expect(locations(parseErrors(broken))).toEqual([
      { file: 'users.csv', line: lineStartingWith(zip, 'users.csv', 'tch-1,') },
    ]);
  });

  it.each([
    ['users.csv', 'stu-2,', 'enabledUser', 'yes', /enabledUser must be true or false/],
    ['users.csv', 'stu-2,', 'username', '', /username is required/],
    ['users.csv', 'stu-2,', 'metadata.preferredLanguage', 'Spanish!', /not a language tag/],
    [
      'classes.csv',
      'cls-2,',
      'classType',
      'lecture',
      /classType 'lecture' is not one of homeroom, scheduled/,
    ],
    ['orgs.csv', 'sch-1,', 'type', 'campus', /type 'campus' is not one of/],
  ])('when %s has %s %s=%s, then that line is reported', (file, prefix, column, value, message) => {
    const broken = editCell(zip, file, prefix, column, value);

    const errors = parseErrors(broken);

    expect(locations(errors)).toEqual([{ file, line: lineStartingWith(zip, file, prefix) }]);
    expect(errors[0].message).toMatch(message);
  });

  it('when primary is neither true nor false, then the enrollment’s line is reported', () => {
    const prefix = `${firstStudentEnrollment.sourcedId},`;
    const broken = editCell(zip, 'enrollments.csv', prefix, 'primary', 'maybe');

    expect(locations(parseErrors(broken))).toEqual([
      { file: 'enrollments.csv', line: lineStartingWith(zip, 'enrollments.csv', prefix) },
    ]);
  });

  it('when booleans come in spreadsheet capitals (TRUE/FALSE), then they are accepted', () => {
    const shouted = rewriteZip(zip, 'enrollments.csv', (text) =>
      text.replace(/,true,/g, ',TRUE,').replace(/,false,/g, ',FALSE,'),
    );
    expect(csvText(shouted, 'enrollments.csv')).not.toMatch(/,(true|false),/);

    expect(parseBulk(shouted).memberships.filter((membership) => membership.isPrimary)).toHaveLength(3);
  });

  it('when a student is enrolled with the teacher role, then the enrollment’s line is reported', () => {
    const prefix = `${firstStudentEnrollment.sourcedId},`;
    const broken = editCell(zip, 'enrollments.csv', prefix, 'role', 'teacher');

    const errors = parseErrors(broken);

    expect(locations(errors)).toEqual([
      { file: 'enrollments.csv', line: lineStartingWith(zip, 'enrollments.csv', prefix) },
    ]);
    expect(errors[0].message).toMatch(/role teacher does not match the role of user/);
  });

  it('when a class names a district org as its school, then the class’s line is reported', () => {
    const broken = editCell(zip, 'classes.csv', 'cls-1,', 'schoolSourcedId', 'org-district');

    const errors = parseErrors(broken);

    expect(locations(errors)).toEqual([
      { file: 'classes.csv', line: lineStartingWith(zip, 'classes.csv', 'cls-1,') },
    ]);
    expect(errors[0].message).toMatch(/type district, not a school/);
  });

  it('when a user belongs to an unknown org, then the user’s line is reported', () => {
    const broken = editCell(zip, 'users.csv', 'gdn-1,', 'orgSourcedIds', 'sch-1,sch-9');

    expect(locations(parseErrors(broken))).toEqual([
      { file: 'users.csv', line: lineStartingWith(zip, 'users.csv', 'gdn-1,') },
    ]);
  });

  it('when agentSourcedIds names an unknown user, then the declaring user’s line is reported', () => {
    const broken = editCell(zip, 'users.csv', 'stu-1,', 'agentSourcedIds', 'gdn-404');

    expect(locations(parseErrors(broken))).toEqual([
      { file: 'users.csv', line: lineStartingWith(zip, 'users.csv', 'stu-1,') },
    ]);
  });

  it('when agentSourcedIds links a student to another student, then the line is reported as no guardian link', () => {
    const broken = editCell(zip, 'users.csv', 'stu-1,', 'agentSourcedIds', 'stu-2');

    const errors = parseErrors(broken);

    expect(locations(errors)).toEqual([
      { file: 'users.csv', line: lineStartingWith(zip, 'users.csv', 'stu-1,') },
    ]);
    expect(errors[0].message).toMatch(/only a guardian .* and a student can be linked/);
  });

  it('when a teacher declares agents, then the teacher’s line is reported', () => {
    const broken = editCell(zip, 'users.csv', 'tch-1,', 'agentSourcedIds', 'stu-1');

    expect(locations(parseErrors(broken))).toEqual([
      { file: 'users.csv', line: lineStartingWith(zip, 'users.csv', 'tch-1,') },
    ]);
  });

  it('when a list cell is quoted, then its items are read as a list', () => {
    const listed = editCell(zip, 'users.csv', 'stu-1,', 'orgSourcedIds', 'sch-1, org-district');
    expect(csvText(listed, 'users.csv')).toContain('"sch-1, org-district"');

    const student = parseBulk(listed).users.find((user) => user.sourcedId === 'stu-1');

    expect(student?.orgSourcedIds).toEqual(['sch-1', 'org-district']);
  });

  it('when a list cell is not quoted, then the row has too many fields and only its line is reported', () => {
    const broken = editLine(zip, 'users.csv', 'tch-1,', (line) =>
      line.replace(',sch-1,', ',sch-1,org-district,'),
    );

    const errors = parseErrors(broken);

    expect(locations(errors)).toEqual([
      { file: 'users.csv', line: lineStartingWith(zip, 'users.csv', 'tch-1,') },
    ]);
    expect(errors[0].message).toBe('the row has 20 fields but the header has 19');
  });

  it('when several files hold errors, then every one is reported, in file then line order', () => {
    let broken = editCell(zip, 'users.csv', 'stu-3,', 'role', 'principal');
    broken = editCell(broken, 'users.csv', 'stu-1,', 'enabledUser', 'no');
    broken = editCell(broken, 'classes.csv', 'cls-2,', 'classType', 'lecture');
    broken = editCell(
      broken,
      'enrollments.csv',
      `${firstStudentEnrollment.sourcedId},`,
      'classSourcedId',
      'cls-404',
    );

    expect(locations(parseErrors(broken))).toEqual([
      { file: 'classes.csv', line: lineStartingWith(zip, 'classes.csv', 'cls-2,') },
      { file: 'users.csv', line: lineStartingWith(zip, 'users.csv', 'stu-1,') },
      { file: 'users.csv', line: lineStartingWith(zip, 'users.csv', 'stu-3,') },
      {
        file: 'enrollments.csv',
        line: lineStartingWith(zip, 'enrollments.csv', `${firstStudentEnrollment.sourcedId},`),
      },
    ]);
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
    expect(locations(parseErrors(broken))).toEqual([
      { file: 'classes.csv', line: lineStartingWith(zip, 'classes.csv', 'cls-3,') + 1 },
    ]);
  });

  it('when a quoted field is never closed, then the line it opens on is reported', () => {
    const broken = editLine(zip, 'users.csv', 'stu-4,', (line) => line.replace(',stu4,', ',"stu4,'));

    expect(locations(parseErrors(broken))).toEqual([
      { file: 'users.csv', line: lineStartingWith(zip, 'users.csv', 'stu-4,') },
    ]);
  });

  it('when a quote appears inside an unquoted field, then that line is reported and the rest is still read', () => {
    let broken = editLine(zip, 'users.csv', 'stu-4,', (line) => line.replace(',stu4,', ',st"u4,'));
    broken = editLine(broken, 'users.csv', 'stu-6,', (line) => line.replace(',stu6,', ',st"u6,'));

    expect(locations(parseErrors(broken))).toEqual([
      { file: 'users.csv', line: lineStartingWith(zip, 'users.csv', 'stu-4,') },
      { file: 'users.csv', line: lineStartingWith(zip, 'users.csv', 'stu-6,') },
    ]);
  });

  it('when a line is not valid UTF-8, then that line is reported', () => {
    const line = lineStartingWith(zip, 'orgs.csv', 'sch-1,');
    const lines = csvText(zip, 'orgs.csv').split('\r\n');
    const bytes = Buffer.concat([
      Buffer.from(lines.slice(0, line - 1).join('\r\n') + '\r\n'),
      Buffer.from([0x73, 0xff, 0xfe]),
      Buffer.from(lines.slice(line - 1).join('\r\n')),
    ]);
    const broken = replaceZipEntries(zip, { 'orgs.csv': bytes });

    expect(locations(parseErrors(broken))).toEqual([{ file: 'orgs.csv', line }]);
  });
});

describe('parseOneRosterZip checks the manifest', () => {
  it('when oneroster.version is not 1.1, then its line is reported', () => {
    const broken = editLine(zip, 'manifest.csv', 'oneroster.version,', () => 'oneroster.version,1.2');

    const errors = parseErrors(broken);

    expect(locations(errors)).toEqual([
      { file: 'manifest.csv', line: lineStartingWith(zip, 'manifest.csv', 'oneroster.version,') },
    ]);
    expect(errors[0].message).toMatch(/'oneroster.version' is '1.2'/);
  });

  it('when manifest.csv is missing, then the whole file is reported', () => {
    expect(locations(parseErrors(replaceZipEntries(zip, { 'manifest.csv': null })))).toEqual([
      { file: 'manifest.csv', line: 0 },
    ]);
  });

  it('when the files sit in a folder inside the zip, then the message says to zip the files themselves', () => {
    const nested = replaceZipEntries(zip, {
      'manifest.csv': null,
      'export/manifest.csv': csvText(zip, 'manifest.csv'),
    });

    expect(parseErrors(nested)[0].message).toMatch(/found export\/manifest.csv/);
  });

  it('when a file mode is neither absent, bulk nor delta, then its line is reported', () => {
    const broken = editLine(zip, 'manifest.csv', 'file.courses,', () => 'file.courses,full');

    expect(locations(parseErrors(broken))).toEqual([
      { file: 'manifest.csv', line: lineStartingWith(zip, 'manifest.csv', 'file.courses,') },
    ]);
  });

  it('when the manifest mixes bulk and delta files, then the manifest is reported as a whole', () => {
    const broken = editLine(zip, 'manifest.csv', 'file.courses,', () => 'file.courses,delta');

    expect(locations(parseErrors(broken))).toEqual([{ file: 'manifest.csv', line: 0 }]);
  });

  it('when a bulk manifest lists users.csv as absent, then that line is reported', () => {
    const broken = editLine(zip, 'manifest.csv', 'file.users,', () => 'file.users,absent');

    const errors = parseErrors(broken);

    expect(locations(errors)).toEqual([
      { file: 'manifest.csv', line: lineStartingWith(zip, 'manifest.csv', 'file.users,') },
    ]);
    expect(errors[0].message).toMatch(/bulk import needs users.csv/);
  });

  it('when a file is listed as bulk but missing from the zip, then that file is reported', () => {
    expect(locations(parseErrors(replaceZipEntries(zip, { 'classes.csv': null })))).toEqual([
      { file: 'classes.csv', line: 0 },
    ]);
  });

  it('when courses and academicSessions are listed absent and left out, then the export is accepted', () => {
    let trimmed = replaceZipEntries(zip, { 'courses.csv': null, 'academicSessions.csv': null });
    trimmed = editLine(trimmed, 'manifest.csv', 'file.courses,', () => 'file.courses,absent');
    trimmed = editLine(
      trimmed,
      'manifest.csv',
      'file.academicSessions,',
      () => 'file.academicSessions,absent',
    );

    expect(parseBulk(trimmed)).toEqual(parseBulk(zip));
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
