// `prisma migrate diff --from-config-datasource --to-schema <stdin> --script --exit-code`, run on Prisma's
// WebAssembly schema engine through the pg driver adapter, because the native engine cannot be
// downloaded here and Prisma 7's CLI only drives the native one. A child process of its own: the engine
// is an ES module with WebAssembly, which Jest's CommonJS module registry cannot load.
//
// Input: the Prisma schema text on stdin, the database in DATABASE_URL.
// Output: one JSON line {"exitCode": 0 | 2, "script": "<SQL that would bring the database to the schema>"}.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
// Both packages come with the pinned Prisma packages, resolved from the package that depends on them.
const requireFromInternals = createRequire(require.resolve('@prisma/internals'));
const requireFromAdapter = createRequire(require.resolve('@prisma/adapter-pg'));
const { PrismaPg } = require('@prisma/adapter-pg');
const { bindMigrationAwareSqlAdapterFactory } = requireFromAdapter('@prisma/driver-adapter-utils');

const PG_INTERNAL_CHAR_OID = 18;
const PG_TEXT_OID = 25;
const COLUMN_TYPE_CHARACTER = 6;

async function loadSchemaEngine() {
  const engineModulePath = requireFromInternals.resolve('@prisma/schema-engine-wasm');
  const bindings = await import(requireFromInternals.resolve('@prisma/schema-engine-wasm/schema_engine_bg'));
  const wasm = new WebAssembly.Module(readFileSync(join(dirname(engineModulePath), 'schema_engine_bg.wasm')));
  const instance = new WebAssembly.Instance(wasm, { './schema_engine_bg.js': bindings });
  bindings.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  // The engine reports Rust panics through this global before aborting.
  globalThis.PRISMA_WASM_PANIC_REGISTRY = { set_message: (message) => process.stderr.write(`${message}\n`) };
  return bindings.SchemaEngine;
}

/**
 * adapter-pg 7.10 rejects PostgreSQL's internal one-byte "char" type (oid 18), which the engine's
 * catalog queries select (pg_constraint.contype and others), while the engine reads those columns as
 * its Character type. Hand them over as text tagged Character.
 */
function withInternalCharColumns(queryable) {
  if (typeof queryable.performIO !== 'function' || typeof queryable.queryRaw !== 'function') {
    throw new Error(
      '@prisma/adapter-pg changed shape: revisit the "char" work-around in prisma-migrate-diff.mjs',
    );
  }
  const charColumns = new WeakMap();
  const performIO = queryable.performIO.bind(queryable);
  queryable.performIO = async (query) => {
    const result = await performIO(query);
    const indexes = [];
    result.fields.forEach((field, index) => {
      if (field.dataTypeID === PG_INTERNAL_CHAR_OID) {
        field.dataTypeID = PG_TEXT_OID;
        indexes.push(index);
      }
    });
    charColumns.set(result.rows, indexes);
    return result;
  };
  const queryRaw = queryable.queryRaw.bind(queryable);
  queryable.queryRaw = async (query) => {
    const resultSet = await queryRaw(query);
    for (const index of charColumns.get(resultSet.rows) ?? []) {
      resultSet.columnTypes[index] = COLUMN_TYPE_CHARACTER;
    }
    return resultSet;
  };
  if (typeof queryable.startTransaction === 'function') {
    const startTransaction = queryable.startTransaction.bind(queryable);
    queryable.startTransaction = async (...args) => withInternalCharColumns(await startTransaction(...args));
  }
  return queryable;
}

function adapterFactory(databaseUrl) {
  const pg = new PrismaPg({ connectionString: databaseUrl });
  return bindMigrationAwareSqlAdapterFactory({
    provider: pg.provider,
    adapterName: pg.adapterName,
    connect: async () => withInternalCharColumns(await pg.connect()),
    connectToShadowDb: async () => withInternalCharColumns(await pg.connectToShadowDb()),
  });
}

async function main() {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL is not set');
  const schema = readFileSync(0, 'utf8');
  const files = [{ path: 'schema.prisma', content: schema }];
  const SchemaEngine = await loadSchemaEngine();
  const engine = await SchemaEngine.new(
    { datamodels: [['schema.prisma', schema]] },
    () => undefined,
    adapterFactory(databaseUrl),
  );
  const result = await engine.diff({
    from: { tag: 'schemaDatasource', files, configDir: process.cwd() },
    to: { tag: 'schemaDatamodel', files },
    script: true,
    exitCode: true,
    filters: { externalTables: [], externalEnums: [] },
  });
  process.stdout.write(`${JSON.stringify({ exitCode: result.exitCode, script: result.stdout ?? '' })}\n`);
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
