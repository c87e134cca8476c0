import { homeroom } from '../support/cli';
import {
  auditEvents,
  createDistrict,
  openTestDatabase,
  type TestDatabase,
  unknownId,
} from '../support/factories';
import { rowsOf } from '../support/database';

describe('homeroom roster source', () => {
  let database: TestDatabase;
  let districtId: string;
  const flags = (overrides: Record<string, string> = {}) =>
    Object.entries({
      '--base-url': 'https://sis.example.org/ims/oneroster/v1p1',
      '--token-url': 'https://sis.example.org/oauth/token',
      '--client-id': 'homeroom',
      '--secret-ref': 'env:ROSTER_API_SECRET_DISTRICT_7',
      ...overrides,
    }).flat();

  beforeAll(async () => {
    database = openTestDatabase();
    districtId = await createDistrict(database.db);
  });

  afterAll(async () => {
    await database?.close();
  });

  it('when an operator sets a source, then it is stored with the default schedule, audited, and shown as one JSON object', async () => {
    const set = await homeroom(['roster', 'source', 'set', '--district', districtId, ...flags()]);
    expect(set).toMatchObject({ code: 0, stderr: '' });
    const expected = {
      districtId,
      source: {
        kind: 'oneroster-api',
        baseUrl: 'https://sis.example.org/ims/oneroster/v1p1',
        tokenUrl: 'https://sis.example.org/oauth/token',
        clientId: 'homeroom',
        secretRef: 'env:ROSTER_API_SECRET_DISTRICT_7',
        schedule: '0 2 * * *',
      },
    };
    expect(JSON.parse(set.stdout)).toMatchObject(expected);

    const shown = await homeroom(['roster', 'source', 'show', '--district', districtId]);
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toEqual(JSON.parse(set.stdout));
    expect((await auditEvents(database.db, districtId)).at(-1)).toMatchObject({
      action: 'roster.source_changed',
      details: { kind: 'oneroster-api', secretRef: 'env:ROSTER_API_SECRET_DISTRICT_7' },
    });

    const changed = await homeroom([
      'roster',
      'source',
      'set',
      '--district',
      districtId,
      ...flags({ '--schedule': '30 4 * * 1-5' }),
    ]);
    expect(JSON.parse(changed.stdout)).toMatchObject({ source: { schedule: '30 4 * * 1-5' } });
    expect(await rowsOf(database.db).rosterApiSource.count({ where: { districtId } })).toBe(1);

    const removed = await homeroom(['roster', 'source', 'remove', '--district', districtId]);
    expect(JSON.parse(removed.stdout)).toEqual({ districtId, removed: true, source: null });
    expect(await rowsOf(database.db).rosterApiSource.count({ where: { districtId } })).toBe(0);
    expect((await auditEvents(database.db, districtId)).at(-1)).toMatchObject({
      action: 'roster.source_changed',
      details: { kind: 'csv' },
    });
  });

  it('when the settings are invalid or the district unknown, then it exits non-zero naming the problem and stores nothing', async () => {
    const other = await createDistrict(database.db);
    const insecure = await homeroom(
      [
        'roster',
        'source',
        'set',
        '--district',
        other,
        ...flags({ '--base-url': 'http://sis.example.org/x' }),
      ],
      { HOMEROOM_ENV: 'production' },
    );
    expect(insecure.code).not.toBe(0);
    expect(insecure.stderr).toContain('baseUrl: must use https');

    const secretInline = await homeroom([
      'roster',
      'source',
      'set',
      '--district',
      other,
      ...flags({ '--secret-ref': 'hunter2' }),
    ]);
    expect(secretInline.code).not.toBe(0);
    expect(secretInline.stderr).toContain('secretRef: must be env:ROSTER_API_SECRET_<NAME> or file:<name>');
    expect(secretInline.stderr).not.toContain('hunter2');

    const unknown = await homeroom(['roster', 'source', 'show', '--district', unknownId()]);
    expect(unknown.code).not.toBe(0);
    expect(await rowsOf(database.db).rosterApiSource.count({ where: { districtId: other } })).toBe(0);
    expect(JSON.parse((await homeroom(['roster', 'source', 'show', '--district', other])).stdout)).toEqual({
      districtId: other,
      source: null,
    });
  });
});
