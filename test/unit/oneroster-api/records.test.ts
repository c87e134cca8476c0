import { parseOneRosterZip } from '../../../libs/domain/roster';
import {
  collectionHeader,
  ONEROSTER_COLLECTIONS,
  type OneRosterCollection,
  nextLink,
  oneRosterApiExportZip,
  pageRows,
  retryAfterMs,
} from '../../../libs/adapters/oneroster-api';
import { fixtureZip } from '../../support/oneroster-fixtures';
import { fixtureCollections } from '../../support/oneroster-rest-stand-in';

const BASE = 'https://sis.example.org/ims/oneroster/v1p1';
const ref = (type: string, sourcedId: string) => ({ href: `${BASE}/${type}s/${sourcedId}`, sourcedId, type });

describe('OneRoster 1.1 JSON records as CSV rows', () => {
  it('when a user record arrives, then its GUIDRefs, string booleans, lists and metadata land in the users.csv columns', () => {
    const [row] = pageRows(
      'users',
      {
        users: [
          {
            sourcedId: 'u1',
            status: 'active',
            dateLastModified: '2025-08-01T08:00:00.000Z',
            enabledUser: 'false',
            orgs: [ref('org', 'school-1'), ref('org', 'district')],
            role: 'student',
            username: 'dev.shah',
            userIds: [{ type: 'LDAP', identifier: 'x' }],
            givenName: 'Dev',
            familyName: 'Shah',
            middleName: 'K',
            identifier: 'S1',
            email: 'dev@example.org',
            sms: '+15550100',
            phone: '+15550101',
            agents: [ref('user', 'g1'), ref('user', 'g2')],
            grades: ['05'],
            password: 'never-copied',
            metadata: { preferredLanguage: 'es', vendorThing: 1 },
          },
        ],
      },
      10,
    );
    const byColumn = Object.fromEntries(collectionHeader('users').map((column, i) => [column, row![i]]));
    expect(byColumn).toEqual({
      sourcedId: 'u1',
      status: 'active',
      dateLastModified: '2025-08-01T08:00:00.000Z',
      enabledUser: 'false',
      orgSourcedIds: 'school-1,district',
      role: 'student',
      username: 'dev.shah',
      userIds: '',
      givenName: 'Dev',
      familyName: 'Shah',
      middleName: 'K',
      identifier: 'S1',
      email: 'dev@example.org',
      sms: '',
      phone: '',
      agentSourcedIds: 'g1,g2',
      grades: '05',
      password: '',
      'metadata.preferredLanguage': 'es',
    });
  });

  it('when an enrollment and a class arrive, then their class, school, user, course and term references become sourcedIds', () => {
    const [enrollment] = pageRows(
      'enrollments',
      {
        enrollments: [
          {
            sourcedId: 'e1',
            status: 'active',
            dateLastModified: 'x',
            class: ref('class', 'c1'),
            school: ref('org', 's1'),
            user: ref('user', 'u1'),
            role: 'teacher',
            primary: true,
            beginDate: '2025-08-15',
          },
        ],
      },
      10,
    );
    expect(enrollment).toEqual(['e1', 'active', 'x', 'c1', 's1', 'u1', 'teacher', 'true', '2025-08-15', '']);
    const [klass] = pageRows(
      'classes',
      {
        classes: [
          {
            sourcedId: 'c1',
            status: 'active',
            dateLastModified: 'x',
            title: 'Math, 5A',
            classType: 'scheduled',
            course: ref('course', 'k1'),
            school: ref('org', 's1'),
            terms: [ref('academicSession', 't1'), ref('academicSession', 't2')],
            grades: ['05', '06'],
          },
        ],
      },
      10,
    );
    expect(klass).toEqual([
      'c1',
      'active',
      'x',
      'Math, 5A',
      '05,06',
      'k1',
      '',
      'scheduled',
      '',
      's1',
      't1,t2',
      '',
      '',
      '',
    ]);
  });

  it.each([
    ['a body that is not an object', []],
    ['a body without the collection', { users: [] }],
    ['a record without a sourcedId', { orgs: [{ name: 'x' }] }],
    ['a reference that is a bare string', { orgs: [{ sourcedId: 'o1', parent: 'district' }] }],
    ['an oversized field', { orgs: [{ sourcedId: 'o1', name: 'x'.repeat(5_000) }] }],
    [
      'more records than asked for',
      { orgs: [{ sourcedId: 'o1' }, { sourcedId: 'o2' }, { sourcedId: 'o3' }] },
    ],
  ])('when a page holds %s, then it is refused naming the problem, not its values', (_case, body) => {
    expect(() => pageRows('orgs', body, 2)).toThrow(
      /^the orgs response|^orgs\[\d\] is not a OneRoster 1\.1 record/,
    );
  });

  it('when the stand-in records of a fixture set are mapped and zipped, then they parse to the same snapshot as the CSV set', () => {
    const collections = fixtureCollections('v1.1-vendor-quirks', BASE);
    const rows = {} as Record<OneRosterCollection, string[][]>;
    for (const collection of ONEROSTER_COLLECTIONS) {
      rows[collection] = pageRows(collection, { [collection]: collections[collection] }, 1_000);
    }
    const viaApi = parseOneRosterZip(oneRosterApiExportZip(rows));
    const viaCsv = parseOneRosterZip(fixtureZip('v1.1-vendor-quirks'));
    expect(viaApi.ok && viaCsv.ok).toBe(true);
    if (!viaApi.ok || !viaCsv.ok) return;
    expect(viaApi.snapshot).toEqual(viaCsv.snapshot);
    // Same records, same bytes: an unchanged roster is recognised by the hash of its export.
    expect(Buffer.from(oneRosterApiExportZip(rows)).equals(Buffer.from(oneRosterApiExportZip(rows)))).toBe(
      true,
    );
  });
});

describe('paging and rate-limit headers', () => {
  it('when a Link header lists several relations, then only rel="next" is taken', () => {
    expect(nextLink('<https://a/x?offset=0>; rel="first", <https://a/x?offset=3>; rel="next"')).toBe(
      'https://a/x?offset=3',
    );
    expect(nextLink('<https://a/x?offset=9>; rel="last"')).toBeNull();
    expect(nextLink(null)).toBeNull();
  });

  it('when Retry-After is seconds or a date, then it is honoured, capped at ten minutes', () => {
    const now = Date.parse('2026-12-06T12:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3_000);
    expect(retryAfterMs('Sun, 06 Dec 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('86400', now)).toBe(600_000);
    expect(retryAfterMs('soon', now)).toBeNull();
    expect(retryAfterMs(null, now)).toBeNull();
  });
});
