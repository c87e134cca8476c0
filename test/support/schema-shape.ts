/**
 * The structure of a PostgreSQL schema as both schema.prisma and a live database can describe it, and
 * the comparison of the two as readable lines. Column lists are kept in index order; PostgreSQL types
 * are spelled as `format_type()` prints them; defaults as `pg_get_expr()` prints them without casts.
 */

export type ReferentialAction = 'CASCADE' | 'RESTRICT' | 'NO ACTION' | 'SET NULL' | 'SET DEFAULT';

export interface ColumnShape {
  type: string;
  nullable: boolean;
  default: string | null;
}

export interface ForeignKeyShape {
  columns: string[];
  referencedTable: string;
  referencedColumns: string[];
  onDelete: ReferentialAction;
  onUpdate: ReferentialAction;
}

export interface TableShape {
  columns: Record<string, ColumnShape>;
  primaryKey: string[];
  uniqueIndexes: string[][];
  indexes: string[][];
  foreignKeys: ForeignKeyShape[];
  /** Names of CHECK constraints; schema.prisma cannot declare any. */
  checks: string[];
  /** Names of user triggers; schema.prisma cannot declare any. */
  triggers: string[];
}

export interface SchemaShape {
  tables: Record<string, TableShape>;
  enums: Record<string, string[]>;
}

/** Objects the migrations add on purpose although schema.prisma cannot express them. */
export interface SqlOnlyAdditions {
  checks: { table: string; name: string }[];
  triggers: { table: string; name: string }[];
}

export function emptyTableShape(): TableShape {
  return {
    columns: {},
    primaryKey: [],
    uniqueIndexes: [],
    indexes: [],
    foreignKeys: [],
    checks: [],
    triggers: [],
  };
}

const PRISMA = 'schema.prisma';
const SQL_ONLY = 'the SQL-only additions';
const DB = 'the database';

const list = (columns: readonly string[]) => `(${columns.join(', ')})`;

/** Every difference between what schema.prisma declares and what the database has, one line each. */
export function compareSchemaShapes(
  declared: SchemaShape,
  actual: SchemaShape,
  sqlOnly: SqlOnlyAdditions = { checks: [], triggers: [] },
): string[] {
  const lines: string[] = [];
  lines.push(...compareEnums(declared.enums, actual.enums));
  for (const table of union(Object.keys(declared.tables), Object.keys(actual.tables))) {
    const want = declared.tables[table];
    const have = actual.tables[table];
    if (!want) {
      lines.push(`table ${table}: in ${DB}, not in ${PRISMA}`);
    } else if (!have) {
      lines.push(`table ${table}: in ${PRISMA}, missing from ${DB}`);
    } else {
      const expected = withSqlOnlyAdditions(table, want, sqlOnly);
      lines.push(...compareTables(table, expected, have));
    }
  }
  return lines;
}

function withSqlOnlyAdditions(table: string, shape: TableShape, sqlOnly: SqlOnlyAdditions): TableShape {
  const namesFor = (items: { table: string; name: string }[]) =>
    items.filter((item) => item.table === table).map((item) => item.name);
  return {
    ...shape,
    checks: [...shape.checks, ...namesFor(sqlOnly.checks)],
    triggers: [...shape.triggers, ...namesFor(sqlOnly.triggers)],
  };
}

function compareEnums(declared: Record<string, string[]>, actual: Record<string, string[]>): string[] {
  const lines: string[] = [];
  for (const name of union(Object.keys(declared), Object.keys(actual))) {
    const want = declared[name];
    const have = actual[name];
    if (!want) lines.push(`enum ${name}: in ${DB}, not in ${PRISMA}`);
    else if (!have) lines.push(`enum ${name}: in ${PRISMA}, missing from ${DB}`);
    else if (want.join(',') !== have.join(','))
      lines.push(`enum ${name}: values ${list(want)} in ${PRISMA}, ${list(have)} in ${DB}`);
  }
  return lines;
}

function compareTables(table: string, want: TableShape, have: TableShape): string[] {
  const lines: string[] = [];
  for (const column of union(Object.keys(want.columns), Object.keys(have.columns))) {
    lines.push(...compareColumns(`${table}.${column}`, want.columns[column], have.columns[column]));
  }
  if (want.primaryKey.join(',') !== have.primaryKey.join(',')) {
    lines.push(
      `table ${table}: primary key ${list(want.primaryKey)} in ${PRISMA}, ${list(have.primaryKey)} in ${DB}`,
    );
  }
  lines.push(
    ...compareSets(`${table}: unique index`, want.uniqueIndexes.map(list), have.uniqueIndexes.map(list)),
  );
  lines.push(...compareSets(`${table}: index`, want.indexes.map(list), have.indexes.map(list)));
  lines.push(...compareForeignKeys(table, want.foreignKeys, have.foreignKeys));
  lines.push(...compareSets(`${table}: CHECK constraint`, want.checks, have.checks, SQL_ONLY));
  lines.push(...compareSets(`${table}: trigger`, want.triggers, have.triggers, SQL_ONLY));
  return lines;
}

function compareColumns(
  name: string,
  want: ColumnShape | undefined,
  have: ColumnShape | undefined,
): string[] {
  if (!want) return [`column ${name}: in ${DB}, not in ${PRISMA}`];
  if (!have) return [`column ${name}: in ${PRISMA}, missing from ${DB}`];
  const lines: string[] = [];
  if (want.type !== have.type)
    lines.push(`column ${name}: type ${want.type} in ${PRISMA}, ${have.type} in ${DB}`);
  if (want.nullable !== have.nullable) {
    const nullability = (nullable: boolean) => (nullable ? 'nullable' : 'NOT NULL');
    lines.push(
      `column ${name}: ${nullability(want.nullable)} in ${PRISMA}, ${nullability(have.nullable)} in ${DB}`,
    );
  }
  if (want.default !== have.default) {
    const shown = (value: string | null) => value ?? 'no default';
    lines.push(
      `column ${name}: default ${shown(want.default)} in ${PRISMA}, ${shown(have.default)} in ${DB}`,
    );
  }
  return lines;
}

function compareSets(what: string, want: string[], have: string[], declaredIn = PRISMA): string[] {
  const lines: string[] = [];
  for (const item of want.filter((entry) => !have.includes(entry))) {
    lines.push(`${what} ${item}: in ${declaredIn}, missing from ${DB}`);
  }
  for (const item of have.filter((entry) => !want.includes(entry))) {
    lines.push(`${what} ${item}: in ${DB}, not in ${declaredIn}`);
  }
  return lines;
}

function describeForeignKey(key: ForeignKeyShape): string {
  return (
    `${list(key.columns)} -> ${key.referencedTable}${list(key.referencedColumns)} ` +
    `ON DELETE ${key.onDelete} ON UPDATE ${key.onUpdate}`
  );
}

function compareForeignKeys(table: string, want: ForeignKeyShape[], have: ForeignKeyShape[]): string[] {
  return compareSets(`${table}: foreign key`, want.map(describeForeignKey), have.map(describeForeignKey));
}

function union(left: string[], right: string[]): string[] {
  return [...new Set([...left, ...right])].sort();
}
