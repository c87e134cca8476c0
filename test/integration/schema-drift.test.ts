import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findRepositoryRoot } from '../../libs/db/migrate';
import { createMigratedScratchDatabase, createTestPool, type ScratchDatabase } from '../support/database';
import { schemaShapeFromDatabase } from '../support/database-schema-shape';
import { prismaMigrateDiff } from '../support/prisma-migrate-diff';
import { schemaShapeFromPrisma } from '../support/prisma-schema-shape';
import { compareSchemaShapes, type SqlOnlyAdditions } from '../support/schema-shape';

/**
 * The migrations must build exactly what schema.prisma describes, so that the generated client, the
 * SQL we ship and `prisma migrate deploy` elsewhere all agree. Two independent checks: a structural
 * comparison of schema.prisma's DMMF with pg_catalog (readable lines), and Prisma's own schema engine
 * (`prisma migrate diff`, on its WebAssembly build) asked for the SQL that would close the gap.
 */

/** Added by the migrations on purpose; schema.prisma cannot express them. Keep this list short. */
const SQL_ONLY_ADDITIONS: SqlOnlyAdditions = {
  checks: [
    { table: 'translations', name: 'translations_exactly_one_subject_check' },
    { table: 'conversations', name: 'conversations_participants_ordered_check' },
  ],
  triggers: [{ table: 'audit_events', name: 'audit_events_append_only' }],
};

const schemaText = readFileSync(join(findRepositoryRoot(), 'prisma', 'schema.prisma'), 'utf8');

async function structuralDifferences(
  database: ScratchDatabase,
  prismaSchema = schemaText,
): Promise<string[]> {
  const pool = createTestPool(database.url);
  try {
    const [declared, actual] = await Promise.all([
      schemaShapeFromPrisma(prismaSchema),
      schemaShapeFromDatabase(pool),
    ]);
    return compareSchemaShapes(declared, actual, SQL_ONLY_ADDITIONS);
  } finally {
    await pool.end();
  }
}

async function execute(database: ScratchDatabase, sql: string): Promise<void> {
  const pool = createTestPool(database.url);
  try {
    await pool.query(sql);
  } finally {
    await pool.end();
  }
}

describe('schema drift between prisma/schema.prisma and prisma/migrations', () => {
  let migrated: ScratchDatabase;

  beforeAll(async () => {
    migrated = await createMigratedScratchDatabase('homeroom_drift');
  });

  afterAll(async () => {
    await migrated?.drop();
  });

  it('when every migration is applied, then the database has exactly the structure schema.prisma declares', async () => {
    expect(await structuralDifferences(migrated)).toEqual([]);
  });

  it("when every migration is applied, then Prisma's schema engine finds nothing left to migrate", async () => {
    const diff = await prismaMigrateDiff(migrated.url, schemaText);

    expect(diff.script.trim()).toBe('-- This is an empty migration.');
    expect(diff.differs).toBe(false);
  });

  it('when schema.prisma declares a field no migration creates, then both checks report the missing column', async () => {
    const extended = schemaText.replace(/^(model District \{\n)/m, '$1  motto String?\n');
    expect(extended).not.toBe(schemaText);

    expect(await structuralDifferences(migrated, extended)).toEqual([
      'column districts.motto: in schema.prisma, missing from the database',
    ]);
    const diff = await prismaMigrateDiff(migrated.url, extended);
    expect(diff.differs).toBe(true);
    expect(diff.script).toContain('ADD COLUMN     "motto" TEXT');
  });

  describe('when the database drifts from the migrations', () => {
    let drifted: ScratchDatabase;

    beforeAll(async () => {
      drifted = await createMigratedScratchDatabase('homeroom_drifted');
      await execute(
        drifted,
        `ALTER TABLE "users" ADD COLUMN "nickname" TEXT;
         DROP INDEX "sessions_user_id_idx";
         ALTER TABLE "attachments" ALTER COLUMN "status" DROP DEFAULT;
         ALTER TABLE "translations" DROP CONSTRAINT "translations_exactly_one_subject_check";
         ALTER TABLE "deliveries" DROP CONSTRAINT "deliveries_announcement_id_fkey",
           ADD CONSTRAINT "deliveries_announcement_id_fkey" FOREIGN KEY ("announcement_id")
           REFERENCES "announcements"("id") ON DELETE CASCADE ON UPDATE CASCADE;
         ALTER TYPE "user_role" ADD VALUE 'janitor';`,
      );
    });

    afterAll(async () => {
      await drifted?.drop();
    });

    it('then the structural comparison names every difference', async () => {
      expect((await structuralDifferences(drifted)).sort()).toEqual(
        [
          'enum user_role: values (student, teacher, guardian, school_admin, district_admin) in schema.prisma, ' +
            '(student, teacher, guardian, school_admin, district_admin, janitor) in the database',
          'column users.nickname: in the database, not in schema.prisma',
          'sessions: index (user_id): in schema.prisma, missing from the database',
          "column attachments.status: default 'scanning' in schema.prisma, no default in the database",
          'translations: CHECK constraint translations_exactly_one_subject_check: in the SQL-only additions, ' +
            'missing from the database',
          'deliveries: foreign key (announcement_id) -> announcements(id) ON DELETE RESTRICT ON UPDATE CASCADE: ' +
            'in schema.prisma, missing from the database',
          'deliveries: foreign key (announcement_id) -> announcements(id) ON DELETE CASCADE ON UPDATE CASCADE: ' +
            'in the database, not in schema.prisma',
        ].sort(),
      );
    });

    it("then Prisma's schema engine wants to undo the schema changes", async () => {
      const diff = await prismaMigrateDiff(drifted.url, schemaText);

      expect(diff.differs).toBe(true);
      expect(diff.script).toContain('DROP COLUMN "nickname"');
      expect(diff.script).toContain('CREATE INDEX "sessions_user_id_idx"');
      expect(diff.script).toContain(`ALTER COLUMN "status" SET DEFAULT 'scanning'`);
      expect(diff.script).toContain('"deliveries_announcement_id_fkey"');
    });
  });
});
