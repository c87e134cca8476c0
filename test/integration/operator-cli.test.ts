import { randomUUID } from 'node:crypto';
import { homeroom } from '../support/cli';
import { auditEvents, openTestDatabase, type TestDatabase } from '../support/factories';
import { rowsOf } from '../support/database';

/** The operator command line's own commands, through the compiled `bin/homeroom.js`. */
describe('homeroom operator commands', () => {
  let database: TestDatabase;

  beforeAll(() => {
    database = openTestDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });

  it('when an operator creates a district and its first admin, then the admin is invited and the creation audited', async () => {
    const district = await homeroom(['district', 'create', '--name', 'Springfield USD']);
    expect(district).toMatchObject({ code: 0, stderr: '' });
    const { districtId } = JSON.parse(district.stdout) as { districtId: string };
    expect(await database.db.districts.exists(districtId)).toBe(true);

    const admin = await homeroom([
      'admin',
      'create',
      '--district',
      districtId.toUpperCase(),
      '--username',
      `ops.${randomUUID().slice(0, 8)}`,
      '--role',
      'school_admin',
    ]);

    expect(admin).toMatchObject({ code: 0, stderr: '' });
    const created = JSON.parse(admin.stdout) as {
      userId: string;
      invitationToken: string;
      expiresAt: string;
    };
    expect(created.invitationToken.length).toBeGreaterThanOrEqual(32);
    expect(new Date(created.expiresAt).getTime()).toBeGreaterThan(Date.now());
    const user = await rowsOf(database.db).user.findUnique({ where: { id: created.userId } });
    expect(user).toMatchObject({ districtId, role: 'school_admin' });
    expect((await auditEvents(database.db, districtId)).map((e) => e.action)).toContain('admin.created');

    const again = await homeroom([
      'admin',
      'create',
      '--district',
      districtId,
      '--username',
      user!.username!,
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe('homeroom: That username is already taken in this district.\n');
    expect(await rowsOf(database.db).user.count({ where: { districtId } })).toBe(1);
  });

  it.each([
    [['district', 'create', '--name', 'x'], 1, '--name must be 2 to 200 characters'],
    [['admin', 'create', '--district', 'not-a-uuid', '--username', 'ops'], 1, '--district must be a UUID'],
    [
      ['admin', 'create', '--district', randomUUID(), '--username', 'ops.admin'],
      1,
      'The district was not found',
    ],
    [['admin', 'create', '--district', randomUUID(), '--username', 'a b'], 1, '--username must be'],
    [['audit', 'verify'], 1, 'Missing required option --district'],
    [['audit', 'verify', '--district'], 1, 'Option --district needs a value'],
    [['nothing', 'here'], 64, 'unknown command "nothing here"'],
  ])(
    'when run as `homeroom %j`, then it exits %i naming the problem and changes nothing',
    async (args, code, message) => {
      // Other suites create districts meanwhile: count only what these commands would have made.
      const made = async () =>
        (await rowsOf(database.db).district.count({ where: { name: 'x' } })) +
        (await rowsOf(database.db).user.count({ where: { username: { in: ['ops', 'ops.admin', 'a b'] } } }));
      const before = await made();
      const run = await homeroom(args);
      expect(run.code).toBe(code);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(message);
      expect(await made()).toBe(before);
    },
  );

  it('when the database setting is broken, then the command exits 78 naming DATABASE_URL', async () => {
    const run = await homeroom(['audit', 'verify', '--district', randomUUID()], {
      DATABASE_URL: 'mysql://x',
    });
    expect(run.code).toBe(78);
    expect(run.stderr).toContain('DATABASE_URL');
  });
});
