import { type Pool } from 'pg';
import { emptyTableShape, type ReferentialAction, type SchemaShape, type TableShape } from './schema-shape';

/** Prisma's own bookkeeping table, which schema.prisma never declares. */
const MIGRATIONS_TABLE = '_prisma_migrations';

const REFERENTIAL_ACTIONS: Record<string, ReferentialAction> = {
  a: 'NO ACTION',
  r: 'RESTRICT',
  c: 'CASCADE',
  n: 'SET NULL',
  d: 'SET DEFAULT',
};

/** Key columns of an index or constraint, in their order, by name. */
const columnNames = (keys: string, relation: string, ordinalLimit = '') => `ARRAY(
  SELECT a.attname::text
    FROM unnest(${keys}) WITH ORDINALITY AS k(attnum, ordinal)
    JOIN pg_attribute a ON a.attrelid = ${relation} AND a.attnum = k.attnum
   ${ordinalLimit}
   ORDER BY k.ordinal)`;

const TABLES = `
  SELECT c.relname AS table
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')`;

const COLUMNS = `
  SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type,
         NOT a.attnotnull AS nullable, pg_get_expr(d.adbin, d.adrelid) AS default
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
   WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped`;

const INDEXES = `
  SELECT t.relname AS table, i.relname AS name, x.indisprimary AS primary, x.indisunique AS unique,
         x.indpred IS NOT NULL OR x.indexprs IS NOT NULL AS irregular,
         ${columnNames('x.indkey::int2[]', 't.oid', 'WHERE k.ordinal <= x.indnkeyatts')} AS columns
    FROM pg_index x
    JOIN pg_class t ON t.oid = x.indrelid
    JOIN pg_class i ON i.oid = x.indexrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
   WHERE n.nspname = current_schema()`;

const CONSTRAINTS = `
  SELECT t.relname AS table, con.conname AS name, con.contype::text AS kind,
         ${columnNames('con.conkey', 'con.conrelid')} AS columns,
         r.relname AS referenced_table,
         ${columnNames('con.confkey', 'con.confrelid')} AS referenced_columns,
         con.confdeltype::text AS on_delete, con.confupdtype::text AS on_update
    FROM pg_constraint con
    JOIN pg_class t ON t.oid = con.conrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
    LEFT JOIN pg_class r ON r.oid = con.confrelid
   WHERE n.nspname = current_schema() AND con.contype IN ('f', 'c')`;

const TRIGGERS = `
  SELECT t.relname AS table, tg.tgname AS name
    FROM pg_trigger tg
    JOIN pg_class t ON t.oid = tg.tgrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
   WHERE n.nspname = current_schema() AND NOT tg.tgisinternal`;

const ENUMS = `
  SELECT ty.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS values
    FROM pg_type ty
    JOIN pg_enum e ON e.enumtypid = ty.oid
    JOIN pg_namespace n ON n.oid = ty.typnamespace
   WHERE n.nspname = current_schema()
   GROUP BY ty.typname`;

interface ColumnRow {
  table: string;
  column: string;
  type: string;
  nullable: boolean;
  default: string | null;
}
interface IndexRow {
  table: string;
  name: string;
  primary: boolean;
  unique: boolean;
  irregular: boolean;
  columns: string[];
}
interface ConstraintRow {
  table: string;
  name: string;
  kind: 'f' | 'c';
  columns: string[];
  referenced_table: string | null;
  referenced_columns: string[];
  on_delete: string;
  on_update: string;
}

/** What the database's current schema holds, read from pg_catalog (see schema-shape.ts). */
export async function schemaShapeFromDatabase(pool: Pool): Promise<SchemaShape> {
  const [tables, columns, indexes, constraints, triggers, enums] = await Promise.all([
    pool.query<{ table: string }>(TABLES),
    pool.query<ColumnRow>(COLUMNS),
    pool.query<IndexRow>(INDEXES),
    pool.query<ConstraintRow>(CONSTRAINTS),
    pool.query<{ table: string; name: string }>(TRIGGERS),
    pool.query<{ name: string; values: string[] }>(ENUMS),
  ]);
  const shape: SchemaShape = { tables: {}, enums: {} };
  const tableNamed = (name: string): TableShape | undefined => shape.tables[name];

  for (const row of tables.rows.filter((candidate) => candidate.table !== MIGRATIONS_TABLE)) {
    shape.tables[row.table] = emptyTableShape();
  }
  for (const row of columns.rows) {
    const table = tableNamed(row.table);
    if (table)
      table.columns[row.column] = {
        type: row.type,
        nullable: row.nullable,
        default: withoutCast(row.default),
      };
  }
  for (const row of indexes.rows) {
    const table = tableNamed(row.table);
    if (!table) continue;
    // Partial and expression indexes cannot come from schema.prisma: keep them visibly different.
    const columnsKey = row.irregular
      ? [...row.columns, `<partial or expression index ${row.name}>`]
      : row.columns;
    if (row.primary) table.primaryKey = row.columns;
    else if (row.unique) table.uniqueIndexes.push(columnsKey);
    else table.indexes.push(columnsKey);
  }
  for (const row of constraints.rows) {
    const table = tableNamed(row.table);
    if (!table) continue;
    if (row.kind === 'c') {
      table.checks.push(row.name);
    } else {
      table.foreignKeys.push({
        columns: row.columns,
        referencedTable: row.referenced_table ?? '',
        referencedColumns: row.referenced_columns,
        onDelete: REFERENTIAL_ACTIONS[row.on_delete],
        onUpdate: REFERENTIAL_ACTIONS[row.on_update],
      });
    }
  }
  for (const row of triggers.rows) tableNamed(row.table)?.triggers.push(row.name);
  for (const row of enums.rows) shape.enums[row.name] = row.values;
  return shape;
}

/** `'en'::text` → `'en'`: the column type is compared on its own. */
function withoutCast(expression: string | null): string | null {
  if (expression === null) return null;
  const literal = /^('(?:[^']|'')*')::[\w\s."]+(\[\])?$/.exec(expression);
  return literal ? literal[1] : expression;
}
