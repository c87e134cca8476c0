import fc from 'fast-check';
import { countSnapshot } from '../../../libs/domain/roster';
import {
  DEMOGRAPHICS_MARKER,
  expectedBulkSnapshot,
  generateRoster,
  type GenerateRosterOptions,
} from '../../../libs/domain/roster/generator';
import { canonical, csvText, parseBulk } from './roster-test-helpers';

describe('parseOneRosterZip on generated bulk exports', () => {
  const cases: Array<[string, GenerateRosterOptions]> = [
    ['the defaults', {}],
    [
      'several schools, co-teachers, siblings',
      { schools: 3, sections: 13, students: 120, coTeacherRate: 0.5 },
    ],
    ['links declared only on the student side', { students: 30, sections: 4, linkDeclaration: 'student' }],
    ['links declared only on the guardian side', { students: 30, sections: 4, linkDeclaration: 'guardian' }],
    ['links declared on both sides', { students: 30, sections: 4, linkDeclaration: 'both' }],
    ['a byte order mark on every file', { students: 30, sections: 4, bom: true }],
    [
      'disabled users, aides and SIS administrators',
      { students: 40, disabledUserRate: 0.2, aidesPerSchool: 2, administratorsPerSchool: 1 },
    ],
    ['no guardians at all', { students: 20, sections: 3, guardiansPerStudent: 0 }],
    ['no demographics file', { students: 20, sections: 3, demographics: false }],
  ];

  it.each(cases)(
    'when the export has %s, then the snapshot is exactly the model’s projection',
    (_name, options) => {
      const roster = generateRoster(options);

      const snapshot = parseBulk(roster.zip);

      expect(canonical(snapshot)).toEqual(canonical(expectedBulkSnapshot(roster.model)));
      expect(countSnapshot(snapshot)).toEqual(roster.expected);
    },
  );

  it('when small rosters are drawn at random, then each parses to its expected snapshot', () => {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 0, max: 2 ** 31 }),
          schools: fc.integer({ min: 1, max: 3 }),
          sectionsPerSchool: fc.integer({ min: 1, max: 5 }),
          students: fc.integer({ min: 0, max: 40 }),
          sectionsPerStudent: fc.integer({ min: 1, max: 4 }),
          sectionsPerTeacher: fc.integer({ min: 1, max: 5 }),
          coTeacherRate: fc.double({ min: 0, max: 1, noNaN: true }),
          guardiansPerStudent: fc.double({ min: 0, max: 3, noNaN: true }),
          siblingRate: fc.double({ min: 0, max: 1, noNaN: true }),
          linkDeclaration: fc.constantFrom(
            'student' as const,
            'guardian' as const,
            'both' as const,
            'mixed' as const,
          ),
          disabledUserRate: fc.double({ min: 0, max: 1, noNaN: true }),
          aidesPerSchool: fc.integer({ min: 0, max: 2 }),
          administratorsPerSchool: fc.integer({ min: 0, max: 2 }),
          bom: fc.boolean(),
          demographics: fc.boolean(),
        }),
        (options) => {
          const roster = generateRoster(options);
          const snapshot = parseBulk(roster.zip);
          expect(canonical(snapshot)).toEqual(canonical(expectedBulkSnapshot(roster.model)));
          expect(countSnapshot(snapshot)).toEqual(roster.expected);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('when the export carries demographics.csv (malformed on purpose), then nothing of it reaches the snapshot', () => {
    const roster = generateRoster({ students: 25, sections: 3, demographics: true });
    expect(csvText(roster.zip, 'demographics.csv')).toContain(DEMOGRAPHICS_MARKER);

    const snapshot = parseBulk(roster.zip);

    expect(JSON.stringify(snapshot)).not.toContain(DEMOGRAPHICS_MARKER);
    expect(JSON.stringify(snapshot)).not.toMatch(/birthDate|americanIndian/);
  });

  it('when users.csv holds phones, identifiers and grades, then a snapshot user carries only what Homeroom needs', () => {
    const roster = generateRoster({ students: 10, sections: 2 });
    expect(csvText(roster.zip, 'users.csv')).toContain('555-01');

    const snapshot = parseBulk(roster.zip);

    for (const user of snapshot.users) {
      expect(Object.keys(user).sort()).toEqual(
        [
          'active',
          'email',
          'familyName',
          'givenName',
          'orgSourcedIds',
          'preferredLanguage',
          'role',
          'sisRole',
          'sourcedId',
          'username',
        ].sort(),
      );
    }
    expect(JSON.stringify(snapshot)).not.toContain('555-01');
  });

  it('when names contain commas, quotes and accents, then they survive the CSV quoting unchanged', () => {
    const roster = generateRoster({ students: 200, sections: 8 });
    const familyNames = new Set(parseBulk(roster.zip).users.map((user) => user.familyName));

    expect(familyNames).toContain('Smith, Jr.');
    expect(familyNames).toContain('Chen "CJ"');
    expect(familyNames).toContain('Müller');
  });

  it('when siblings share guardians, then some guardian is linked to two students and each link appears once', () => {
    const roster = generateRoster({ students: 200, sections: 8, siblingRate: 0.5, linkDeclaration: 'both' });

    const links = parseBulk(roster.zip).guardianLinks;

    const studentsPerGuardian = new Map<string, number>();
    for (const link of links) {
      studentsPerGuardian.set(
        link.guardianSourcedId,
        (studentsPerGuardian.get(link.guardianSourcedId) ?? 0) + 1,
      );
    }
    expect(Math.max(...studentsPerGuardian.values())).toBeGreaterThanOrEqual(2);
    expect(new Set(links.map((link) => `${link.guardianSourcedId}/${link.studentSourcedId}`)).size).toBe(
      links.length,
    );
  });

  it('when guardians prefer several languages, then each guardian’s metadata.preferredLanguage is kept', () => {
    const roster = generateRoster({
      students: 300,
      sections: 10,
      guardianLanguages: { en: 0.5, es: 0.3, vi: 0.1 },
    });

    const guardians = parseBulk(roster.zip).users.filter((user) => user.role === 'guardian');

    const languages = new Set(guardians.map((guardian) => guardian.preferredLanguage));
    expect(languages).toEqual(new Set(['en', 'es', 'vi', null]));
  });

  it('when parents, guardians and relatives are exported, then all of them become guardians', () => {
    const roster = generateRoster({ students: 300, sections: 10 });

    const guardians = parseBulk(roster.zip).users.filter((user) => user.role === 'guardian');

    expect(new Set(guardians.map((guardian) => guardian.sisRole))).toEqual(
      new Set(['parent', 'guardian', 'relative']),
    );
  });
});
