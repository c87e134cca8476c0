import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Client } from 'pg';

/**
 * Applies the SQL migrations in Prisma's folder layout and records them in `_prisma_migrations` the way
 * `prisma migrate deploy` does, so either tool can take over from the other. Prisma's schema engine
 * cannot be downloaded on these machines; this runner is what applies migrations locally and in CI.
 */

/** The key `prisma migrate` itself locks on: this runner and Prisma's never run at the same time. */
const PRISMA_MIGRATE_ADVISORY_LOCK_KEY = 72707369;

/** Column for column the table Prisma's schema engine creates. */
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

export interface MigrationFile {
  name: string;
  sql: string;
  /** sha256 of the file's bytes in hex, as Prisma computes it. */
  checksum: string;
}

interface AppliedMigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/** The folder holding package.json, found from this file both in the sources and in dist/. */
export function findRepositoryRoot(startDir: string = __dirname): string {
  let dir = startDir;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) {
      throw new MigrationError(`no package.json found above ${startDir}: cannot locate prisma/migrations`);
    }
    dir = parent;
  }
  return dir;
}

export function defaultMigrationsDir(): string {
  return join(findRepositoryRoot(), 'prisma', 'migrations');
}

/** Every `<name>/migration.sql` in the directory, in name order (Prisma's order). */
export function readMigrations(migrationsDir: string): MigrationFile[] {
  if (!existsSync(migrationsDir)) {
    throw new MigrationError(`migrations directory ${migrationsDir} does not exist`);
  }
  return readdirSync(migrationsDir)
    .filter((entry) => statSync(join(migrationsDir, entry)).isDirectory())
    .sort()
    .map((name) => {
      const file = join(migrationsDir, name, 'migration.sql');
      if (!existsSync(file)) {
        throw new MigrationError(`migration ${name} has no migration.sql`);
      }
      const bytes = readFileSync(file);
      return {
        name,
        sql: bytes.toString('utf8'),
        checksum: createHash('sha256').update(bytes).digest('hex'),
      };
    });
}

/**
 * Applies every migration not yet recorded, each in its own transaction together with its
 * `_prisma_migrations` row, under Prisma's advisory lock. Returns the names it applied, in order.
 * Migrations must therefore be transactional (no CREATE INDEX CONCURRENTLY).
 */
export async function applyMigrations(
  databaseUrl: string,
  migrationsDir: string = defaultMigrationsDir(),
): Promise<string[]> {
  const migrations = readMigrations(migrationsDir);
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // Session-level: closing the connection releases it, however this ends.
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_ADVISORY_LOCK_KEY]);
    await client.query(CREATE_MIGRATIONS_TABLE);
    const pending = selectPending(migrations, await readRecordedMigrations(client));
    for (const migration of pending) {
      await applyOne(client, migration);
    }
    return pending.map((migration) => migration.name);
  } finally {
    await client.end();
  }
}

async function readRecordedMigrations(client: Client): Promise<AppliedMigrationRow[]> {
  const result = await client.query<AppliedMigrationRow>(
    `SELECT migration_name, checksum, finished_at, rolled_back_at
       FROM "_prisma_migrations"
      ORDER BY started_at`,
  );
  return result.rows;
}

/** Refuses edited or half-applied history, as `prisma migrate deploy` does; returns what is left to run. */
function selectPending(migrations: MigrationFile[], recorded: AppliedMigrationRow[]): MigrationFile[] {
  const live = recorded.filter((row) => row.rolled_back_at === null);
  const failed = live.find((row) => row.finished_at === null);
  if (failed) {
    throw new MigrationError(
      `migration ${failed.migration_name} was started but never finished; ` +
        'inspect the database and mark it rolled back or applied before migrating again',
    );
  }
  const appliedChecksums = new Map(live.map((row) => [row.migration_name, row.checksum]));
  for (const migration of migrations) {
    const appliedChecksum = appliedChecksums.get(migration.name);
    if (appliedChecksum !== undefined && appliedChecksum !== migration.checksum) {
      throw new MigrationError(
        `migration ${migration.name} was modified after it was applied ` +
          `(recorded checksum ${appliedChecksum}, file checksum ${migration.checksum}); ` +
          'add a new migration instead of editing an applied one',
      );
    }
  }
  return migrations.filter((migration) => !appliedChecksums.has(migration.name));
}

async function applyOne(client: Client, migration: MigrationFile): Promise<void> {
  await client.query('BEGIN');
  try {
    const id = randomUUID();
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count)
       VALUES ($1, $2, $3, now(), 0)`,
      [id, migration.checksum, migration.name],
    );
    await client.query(migration.sql);
    await client.query(
      `UPDATE "_prisma_migrations" SET finished_at = clock_timestamp(), applied_steps_count = 1 WHERE id = $1`,
      [id],
    );
    await client.query('COMMIT');
  } catch (error) {
    // A failed ROLLBACK means the connection is gone and the transaction with it; report the cause.
    await client.query('ROLLBACK').catch(() => undefined);
    const reason = error instanceof Error ? error.message : String(error);
    throw new MigrationError(`migration ${migration.name} failed and was rolled back: ${reason}`, {
      cause: error,
    });
  }
}
