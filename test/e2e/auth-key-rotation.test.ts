import { randomBytes } from 'node:crypto';
import { rewrapAll } from '../../libs/crypto/key-rotation';
import { LocalKeyWrapper } from '../../libs/crypto/key-wrapper';
import { type MasterKeyEnv, parseMasterKeyRing } from '../../libs/crypto/master-key-ring';
import { type Database } from '../../libs/db/database';
import { testApiConfig } from '../support/config';
import { createMigratedScratchDatabase, rowsOf, type ScratchDatabase } from '../support/database';
import {
  createAdminWithTotp,
  createDistrict,
  openTestDatabase,
  type TestDatabase,
} from '../support/factories';
import { type RunningApi, startApi } from '../support/http';

const key = () => randomBytes(32).toString('base64');

/**
 * TOTP secrets are sealed under the district's data key (DataKeyRepository). Rotation re-wraps every
 * data key in a database, so this suite runs on a scratch database of its own.
 */
describe('TOTP secrets across a master key rotation (DataKeyRepository)', () => {
  let scratch: ScratchDatabase;
  let database: TestDatabase;
  let db: Database;
  const [oldKey, newKey] = [key(), key()];
  const before: MasterKeyEnv = { MASTER_KEYS: `old:${oldKey}`, ACTIVE_MASTER_KEY_ID: 'old' };
  const during: MasterKeyEnv = { MASTER_KEYS: `old:${oldKey},new:${newKey}`, ACTIVE_MASTER_KEY_ID: 'new' };
  const after: MasterKeyEnv = { MASTER_KEYS: `new:${newKey}`, ACTIVE_MASTER_KEY_ID: 'new' };

  beforeAll(async () => {
    scratch = await createMigratedScratchDatabase('homeroom_auth_keys');
    database = openTestDatabase(scratch.url);
    db = database.db;
  }, 60_000);
  afterAll(async () => {
    await database?.close();
    await scratch?.drop();
  });

  const startWith = (keys: MasterKeyEnv): Promise<RunningApi> =>
    startApi(testApiConfig({ DATABASE_URL: scratch.url, ...keys } as Record<string, string>));

  it('when the master key is rotated and the old one retired, then admins still sign in with their codes', async () => {
    const districtId = await createDistrict(db);
    const admin = await createAdminWithTotp(db, districtId, { keys: before });
    const dataKey = await db.dataKeys.findActive(districtId);
    expect(dataKey?.masterKeyId).toBe('old');

    const first = await startWith(before);
    try {
      await admin.signIn(first.baseUrl);
    } finally {
      await first.close();
    }

    expect((await db.dataKeys.listNotWrappedUnder('new')).map((k) => k.id)).toEqual([dataKey!.id]);
    expect(await rewrapAll(db.dataKeys, new LocalKeyWrapper(parseMasterKeyRing(during)))).toBe(1);
    expect(await db.dataKeys.listNotWrappedUnder('new')).toEqual([]);
    const row = await rowsOf(db).dataKey.findUniqueOrThrow({ where: { id: dataKey!.id } });
    expect([row.masterKeyId, row.rewrappedAt]).toEqual(['new', expect.any(Date)]);

    const second = await startWith(after);
    try {
      await admin.signIn(second.baseUrl);
    } finally {
      await second.close();
    }
  });

  it('when a district has several data keys, then the active one is the oldest, ties broken by id', async () => {
    const districtId = await createDistrict(db);
    const at = new Date('2026-01-01T00:00:00.000Z');
    const ids = ['00000000-0000-4000-8000-00000000000b', '00000000-0000-4000-8000-00000000000a'];
    for (const id of ids) {
      await rowsOf(db).dataKey.create({
        data: {
          id,
          districtId,
          masterKeyId: 'old',
          wrappedKey: new Uint8Array(randomBytes(60)),
          createdAt: at,
        },
      });
    }
    expect((await db.dataKeys.findActive(districtId))?.id).toBe(ids[1]);
    const older = await db.dataKeys.create(districtId, 'old', randomBytes(60));
    await rowsOf(db).dataKey.update({
      where: { id: older },
      data: { createdAt: new Date(at.getTime() - 1) },
    });
    expect((await db.dataKeys.findActive(districtId))?.id).toBe(older);
    expect(await db.dataKeys.findActive(await createDistrict(db))).toBeNull();
  });
});
