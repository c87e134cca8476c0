import { createHash } from 'node:crypto';
import {
  appendFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Pool } from 'pg';
import { applyMigrations, defaultMigrationsDir } from '../../libs/db/migrate';
import { createScratchDatabase, createTestPool, type ScratchDatabase } from '../support/database';

const migrationNames = readdirSync(defaultMigrationsDir(), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

interface RecordedMigration {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
  applied_steps_count: number;
}

async function recordedMigrations(pool: Pool): Promise<RecordedMigration[]> {
  const result = await pool.query<RecordedMigration>(
    `SELECT migration_name, checksum, finished_at, rolled_back_at, logs, applied_steps_count
       FROM "_prisma_migrations" ORDER BY migration_name`,
  );
  return result.rows;
}

async function tableExists(pool: Pool, table: string): Promise<boolean> {
  const result = await pool.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [
    table,
  ]);
  return result.rows[0].exists;
}

/** A copy of the real migrations that a test may edit. */
function copyOfMigrations(): string {
  const dir = mkdtempSync(join(tmpdir(), 'homeroom-migrations-'));
  cpSync(defaultMigrationsDir(), dir, { recursive: true });
  return dir;
}

function addMigration(migrationsDir: string, name: string, sql: string): void {
  mkdirSync(join(migrationsDir, name));
  writeFileSync(join(migrationsDir, name, 'migration.sql'), sql);
}

describe('applyMigrations', () => {
  let database: ScratchDatabase;
  let pool: Pool;
  const scratchDirs: string[] = [];

  beforeEach(async () => {
    database = await createScratchDatabase('homeroom_migrate');
    pool = createTestPool(database.url);
  });

  afterEach(async () => {
    await pool.end();
    await database.drop();
    for (const dir of scratchDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('when the database is empty, then every migration is applied and recorded the way Prisma records it', async () => {
    const applied = await applyMigrations(database.url);

    expect(migrationNames.length).toBeGreaterThan(0);
    expect(applied).toEqual(migrationNames);
    const recorded = await recordedMigrations(pool);
    expect(recorded.map((row) => row.migration_name)).toEqual(migrationNames);
    for (const row of recorded) {
      const file = readFileSync(join(defaultMigrationsDir(), row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(file).digest('hex'));
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
    expect(await tableExists(pool, 'audit_events')).toBe(true);
  });

  it("when it creates _prisma_migrations, then the columns are Prisma's", async () => {
    await applyMigrations(database.url);

    const columns = await pool.query<{ column_name: string; data_type: string; is_nullable: string }>(
      `SELECT column_name, data_type, is_nullable FROM information_schema.columns
        WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
    );
    expect(columns.rows).toEqual([
      { column_name: 'id', data_type: 'character varying', is_nullable: 'NO' },
      { column_name: 'checksum', data_type: 'character varying', is_nullable: 'NO' },
      { column_name: 'finished_at', data_type: 'timestamp with time zone', is_nullable: 'YES' },
      { column_name: 'migration_name', data_type: 'character varying', is_nullable: 'NO' },
      { column_name: 'logs', data_type: 'text', is_nullable: 'YES' },
      { column_name: 'rolled_back_at', data_type: 'timestamp with time zone', is_nullable: 'YES' },
      { column_name: 'started_at', data_type: 'timestamp with time zone', is_nullable: 'NO' },
      { column_name: 'applied_steps_count', data_type: 'integer', is_nullable: 'NO' },
    ]);
  });

  it('when run a second time, then it applies nothing', async () => {
    await applyMigrations(database.url);

    expect(await applyMigrations(database.url)).toEqual([]);
    expect(await recordedMigrations(pool)).toHaveLength(migrationNames.length);
  });

  it('when a new migration is added later, then only that one is applied', async () => {
    const dir = copyOfMigrations();
    scratchDirs.push(dir);
    await applyMigrations(database.url, dir);
    addMigration(dir, '99991231235959_add_probe', 'CREATE TABLE "probe" ("id" INTEGER PRIMARY KEY);');

    expect(await applyMigrations(database.url, dir)).toEqual(['99991231235959_add_probe']);
    expect(await tableExists(pool, 'probe')).toBe(true);
  });

  it('when an applied migration was edited, then it refuses with the migration named and applies nothing more', async () => {
    const dir = copyOfMigrations();
    scratchDirs.push(dir);
    await applyMigrations(database.url, dir);
    appendFileSync(
      join(dir, migrationNames[0], 'migration.sql'),
      '\nCREATE TABLE "sneaky" ("id" INTEGER);\n',
    );
    addMigration(dir, '99991231235959_add_probe', 'CREATE TABLE "probe" ("id" INTEGER PRIMARY KEY);');

    await expect(applyMigrations(database.url, dir)).rejects.toThrow(
      `migration ${migrationNames[0]} was modified after it was applied`,
    );
    expect(await tableExists(pool, 'sneaky')).toBe(false);
    expect(await tableExists(pool, 'probe')).toBe(false);
  });

  it('when a recorded checksum was tampered with, then it refuses', async () => {
    await applyMigrations(database.url);
    await pool.query(`UPDATE "_prisma_migrations" SET checksum = repeat('0', 64) WHERE migration_name = $1`, [
      migrationNames[0],
    ]);

    await expect(applyMigrations(database.url)).rejects.toThrow(/was modified after it was applied/);
  });

  it('when a migration fails, then it is rolled back whole, nothing is recorded for it, and the earlier ones stay', async () => {
    const dir = copyOfMigrations();
    scratchDirs.push(dir);
    addMigration(
      dir,
      '99991231235959_broken',
      'CREATE TABLE "half_done" ("id" INTEGER);\nSELECT * FROM "no_such_table";',
    );

    await expect(applyMigrations(database.url, dir)).rejects.toThrow(
      /migration 99991231235959_broken failed and was rolled back: relation "no_such_table" does not exist/,
    );
    expect(await tableExists(pool, 'half_done')).toBe(false);
    expect((await recordedMigrations(pool)).map((row) => row.migration_name)).toEqual(migrationNames);
  });

  it('when Prisma left a failed migration behind, then it refuses until someone resolves it', async () => {
    await applyMigrations(database.url);
    await pool.query(
      `UPDATE "_prisma_migrations" SET finished_at = NULL, logs = 'boom' WHERE migration_name = $1`,
      [migrationNames[0]],
    );

    await expect(applyMigrations(database.url)).rejects.toThrow(
      `migration ${migrationNames[0]} was started but never finished`,
    );
  });

  it('when two runners start at once, then each migration is applied exactly once', async () => {
    const results = await Promise.all([applyMigrations(database.url), applyMigrations(database.url)]);

    expect(results.flat().sort()).toEqual(migrationNames);
    expect(await recordedMigrations(pool)).toHaveLength(migrationNames.length);
  });

  it('when the migrations directory does not exist, then it says so', async () => {
    await expect(applyMigrations(database.url, join(tmpdir(), 'no-such-migrations'))).rejects.toThrow(
      /migrations directory .*no-such-migrations does not exist/,
    );
  });
});

describe('the SQL-only parts of the migrations', () => {
  let database: ScratchDatabase;
  let pool: Pool;
  let districtId: string;

  beforeAll(async () => {
    database = await createScratchDatabase('homeroom_sqlonly');
    await applyMigrations(database.url);
    pool = createTestPool(database.url);
    const district = await pool.query<{ id: string }>(
      `INSERT INTO districts (name) VALUES ('Test') RETURNING id`,
    );
    districtId = district.rows[0].id;
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  async function appendAuditEvent(seq: number): Promise<string> {
    const result = await pool.query<{ id: string }>(
      `INSERT INTO audit_events (district_id, seq, action, prev_hash, hash)
       VALUES ($1, $2, 'test.event', 'prev', 'hash') RETURNING id`,
      [districtId, seq],
    );
    return result.rows[0].id;
  }

  it('when a row is inserted by raw SQL without an id, then it gets a random UUID', async () => {
    const result = await pool.query<{ id: string }>(
      `INSERT INTO districts (name) VALUES ('Raw') RETURNING id`,
    );

    expect(result.rows[0].id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('when an audit event is updated or deleted, then PostgreSQL refuses', async () => {
    const id = await appendAuditEvent(1);

    await expect(pool.query(`UPDATE audit_events SET action = 'edited' WHERE id = $1`, [id])).rejects.toThrow(
      'audit_events is append-only: UPDATE refused',
    );
    await expect(pool.query(`DELETE FROM audit_events WHERE id = $1`, [id])).rejects.toThrow(
      'audit_events is append-only: DELETE refused',
    );
    const row = await pool.query<{ action: string }>('SELECT action FROM audit_events WHERE id = $1', [id]);
    expect(row.rows).toEqual([{ action: 'test.event' }]);
  });

  it('when the audit_events_append_only trigger is disabled on purpose, then an edit goes through', async () => {
    const id = await appendAuditEvent(2);
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
      const updated = await client.query(`UPDATE audit_events SET action = 'tampered' WHERE id = $1`, [id]);
      expect(updated.rowCount).toBe(1);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it.each([
    ['neither a message nor an announcement', null, null],
    [
      'both a message and an announcement',
      '00000000-0000-4000-8000-000000000001',
      '00000000-0000-4000-8000-000000000002',
    ],
  ])('when a translation names %s, then PostgreSQL refuses it', async (_case, messageId, announcementId) => {
    const dataKey = await pool.query<{ id: string }>(
      `INSERT INTO data_keys (district_id, master_key_id, wrapped_key) VALUES ($1, 'k1', '\\x00') RETURNING id`,
      [districtId],
    );

    await expect(
      pool.query(
        `INSERT INTO translations (district_id, message_id, announcement_id, language, body_ciphertext, data_key_id, provider)
         VALUES ($1, $2, $3, 'es', '\\x00', $4, 'test')`,
        [districtId, messageId, announcementId, dataKey.rows[0].id],
      ),
    ).rejects.toThrow('translations_exactly_one_subject_check');
  });

  it('when a conversation stores its participants out of order, then PostgreSQL refuses it', async () => {
    await expect(
      pool.query(
        `INSERT INTO conversations (district_id, participant_low_id, participant_high_id) VALUES ($1, $2, $3)`,
        [districtId, '00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000001'],
      ),
    ).rejects.toThrow('conversations_participants_ordered_check');
  });
});
