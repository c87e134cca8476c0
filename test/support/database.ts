import { randomBytes } from 'node:crypto';
import { Client, Pool } from 'pg';
import { type Database } from '../../libs/db/database';
import { applyMigrations } from '../../libs/db/migrate';
import { prismaOf } from '../../libs/db/testing';

export { Prisma, preparedStatement, runPrepared } from '../../libs/db/testing';

/**
 * The rows behind `db`, for tests to seed and inspect directly; product code reaches them only through
 * the repositories.
 */
export function rowsOf(db: Database) {
  return prismaOf(db);
}

/** The database the test driver points the suite at (the real stack's test database). */
export function testDatabaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) {
    throw new Error('DATABASE_URL is not set: tests need a PostgreSQL server (scripts/test.sh sets it)');
  }
  return url;
}

/** A connection allowed to CREATE and DROP databases: TEST_ADMIN_DATABASE_URL, else DATABASE_URL. */
export function adminDatabaseUrl(): string {
  return process.env.TEST_ADMIN_DATABASE_URL ?? testDatabaseUrl();
}

/** The URL of another database on the same server as DATABASE_URL, with the same credentials. */
export function databaseUrlFor(databaseName: string): string {
  const url = new URL(testDatabaseUrl());
  url.pathname = `/${databaseName}`;
  return url.toString();
}

export function createTestPool(databaseUrl: string = testDatabaseUrl()): Pool {
  return new Pool({ connectionString: databaseUrl, max: 4 });
}

export interface ScratchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

async function withAdminClient<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminDatabaseUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** An empty database with a random name, so concurrent tests never share state; drop it when done. */
export async function createScratchDatabase(prefix = 'homeroom_scratch'): Promise<ScratchDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await withAdminClient((client) => client.query(`CREATE DATABASE "${name}"`));
  const drop = async (): Promise<void> => {
    await withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  };
  return { name, url: databaseUrlFor(name), drop };
}

/** A scratch database with every migration applied. */
export async function createMigratedScratchDatabase(prefix?: string): Promise<ScratchDatabase> {
  const database = await createScratchDatabase(prefix);
  try {
    await applyMigrations(database.url);
  } catch (error) {
    await database.drop();
    throw error;
  }
  return database;
}
