import { rowsOf } from '../support/database';
import {
  auditEvents,
  createDistrict,
  createUser,
  openTestDatabase,
  type TestDatabase,
} from '../support/factories';

/**
 * Database.transaction is the one way to group writes: the repositories it hands out run in the
 * transaction (an audit append included), a failure anywhere undoes all of it, and its limits come
 * from the caller. Real PostgreSQL.
 */
describe('Database.transaction', () => {
  let database: TestDatabase;

  beforeAll(() => {
    database = openTestDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });

  const passwordHashOf = async (userId: string) =>
    (await rowsOf(database.db).user.findUniqueOrThrow({ where: { id: userId } })).passwordHash;

  it('when the work succeeds, then the change and its audit event both commit', async () => {
    const { db } = database;
    const districtId = await createDistrict(db);
    const user = await createUser(db, districtId);

    await db.transaction(districtId, async (tenant) => {
      await tenant.users.setPassword(user.id, 'hash-committed');
      await tenant.audit.append({ action: 'test.password_set', targetType: 'user', targetId: user.id });
    });

    expect(await passwordHashOf(user.id)).toBe('hash-committed');
    expect((await auditEvents(db, districtId)).map((event) => event.action)).toEqual(['test.password_set']);
  });

  it('when the work throws after writing and auditing, then neither the change nor the audit event remains', async () => {
    const { db } = database;
    const districtId = await createDistrict(db);
    const user = await createUser(db, districtId);
    const failure = new Error('the step after the writes failed');

    await expect(
      db.transaction(districtId, async (tenant) => {
        await tenant.users.setPassword(user.id, 'hash-rolled-back');
        await tenant.audit.append({ action: 'test.password_set', targetType: 'user', targetId: user.id });
        throw failure;
      }),
    ).rejects.toBe(failure);

    expect(await passwordHashOf(user.id)).toBeNull();
    expect(await auditEvents(db, districtId)).toEqual([]);
    expect(await db.forDistrict(districtId).audit.verify()).toMatchObject({ ok: true });
  });

  it('when the work outlasts timeoutMs, then the transaction fails and its writes are undone', async () => {
    const { db } = database;
    const districtId = await createDistrict(db);
    const user = await createUser(db, districtId);

    await expect(
      db.transaction(
        districtId,
        async (tenant) => {
          await tenant.users.setPassword(user.id, 'hash-too-late');
          await new Promise((resolve) => setTimeout(resolve, 1_500));
          await tenant.audit.append({ action: 'test.password_set', targetType: 'user', targetId: user.id });
        },
        { timeoutMs: 500 },
      ),
    ).rejects.toThrow();

    expect(await passwordHashOf(user.id)).toBeNull();
    expect(await auditEvents(db, districtId)).toEqual([]);
  });

  it('when the repositories come from forDistrict instead, then each write commits on its own', async () => {
    const { db } = database;
    const districtId = await createDistrict(db);
    const user = await createUser(db, districtId);
    const tenant = db.forDistrict(districtId);

    await tenant.users.setPassword(user.id, 'hash-alone');
    await expect(
      tenant.audit.append({ action: 'test.password_set', targetType: 'user', targetId: user.id }),
    ).resolves.toMatchObject({ seq: 1n });

    expect(await passwordHashOf(user.id)).toBe('hash-alone');
    expect(await auditEvents(db, districtId)).toHaveLength(1);
  });
});
