import { getDMMF } from '@prisma/internals';
import { emptyTableShape, type ReferentialAction, type SchemaShape, type TableShape } from './schema-shape';

type Datamodel = Awaited<ReturnType<typeof getDMMF>>['datamodel'];
type Model = Datamodel['models'][number];
type Field = Model['fields'][number];

const REFERENTIAL_ACTIONS: Record<string, ReferentialAction> = {
  Cascade: 'CASCADE',
  Restrict: 'RESTRICT',
  NoAction: 'NO ACTION',
  SetNull: 'SET NULL',
  SetDefault: 'SET DEFAULT',
};

/** Prisma's generators that run in the client, not in the database: no column default. */
const CLIENT_SIDE_DEFAULTS = new Set(['uuid', 'cuid', 'nanoid', 'ulid']);

/** What schema.prisma declares, in the terms PostgreSQL's catalogs use (see schema-shape.ts). */
export async function schemaShapeFromPrisma(schemaText: string): Promise<SchemaShape> {
  const { datamodel } = await getDMMF({ datamodel: schemaText });
  const names = new PrismaNames(datamodel);
  const shape: SchemaShape = { tables: {}, enums: {} };
  for (const prismaEnum of datamodel.enums) {
    shape.enums[prismaEnum.dbName ?? prismaEnum.name] = prismaEnum.values.map(
      (value) => value.dbName ?? value.name,
    );
  }
  for (const model of datamodel.models) {
    shape.tables[names.table(model.name)] = tableShape(model, names);
  }
  for (const index of datamodel.indexes) {
    const table = shape.tables[names.table(index.model)];
    const columns = index.fields.map((field) => names.column(index.model, field.name));
    if (index.type === 'id') table.primaryKey = columns;
    else if (index.type === 'unique') table.uniqueIndexes.push(columns);
    else if (index.type === 'normal') table.indexes.push(columns);
    else throw new Error(`${index.model}: ${index.type} indexes are not compared yet`);
  }
  return shape;
}

class PrismaNames {
  private readonly models: Map<string, Model>;
  private readonly enums: Map<string, string>;

  constructor(datamodel: Datamodel) {
    this.models = new Map(datamodel.models.map((model) => [model.name, model]));
    this.enums = new Map(
      datamodel.enums.map((prismaEnum) => [prismaEnum.name, prismaEnum.dbName ?? prismaEnum.name]),
    );
  }

  table(modelName: string): string {
    const model = this.model(modelName);
    return model.dbName ?? model.name;
  }

  column(modelName: string, fieldName: string): string {
    const field = this.model(modelName).fields.find((candidate) => candidate.name === fieldName);
    if (!field) throw new Error(`${modelName} has no field ${fieldName}`);
    return field.dbName ?? field.name;
  }

  enumType(enumName: string): string {
    const dbName = this.enums.get(enumName);
    if (!dbName) throw new Error(`unknown enum ${enumName}`);
    return dbName;
  }

  private model(name: string): Model {
    const model = this.models.get(name);
    if (!model) throw new Error(`unknown model ${name}`);
    return model;
  }
}

function tableShape(model: Model, names: PrismaNames): TableShape {
  const table = emptyTableShape();
  for (const field of model.fields) {
    if (field.kind === 'scalar' || field.kind === 'enum') {
      const type = postgresType(model, field, names);
      table.columns[field.dbName ?? field.name] = {
        type,
        // Prisma's migrations create scalar lists without NOT NULL, though the client reads them as required.
        nullable: !field.isRequired || field.isList,
        default: columnDefault(model, field, type),
      };
    } else if (field.kind === 'object' && field.relationFromFields?.length) {
      table.foreignKeys.push({
        columns: field.relationFromFields.map((name) => names.column(model.name, name)),
        referencedTable: names.table(field.type),
        referencedColumns: (field.relationToFields ?? []).map((name) => names.column(field.type, name)),
        onDelete: referentialAction(field.relationOnDelete, field.isRequired ? 'RESTRICT' : 'SET NULL'),
        onUpdate: referentialAction(field.relationOnUpdate, 'CASCADE'),
      });
    } else if (field.kind === 'unsupported') {
      throw new Error(`${model.name}.${field.name}: Unsupported(...) fields are not compared yet`);
    }
  }
  return table;
}

function referentialAction(
  prismaAction: string | undefined,
  prismaDefault: ReferentialAction,
): ReferentialAction {
  if (prismaAction === undefined) return prismaDefault;
  const action = REFERENTIAL_ACTIONS[prismaAction];
  if (!action) throw new Error(`unknown referential action ${prismaAction}`);
  return action;
}

/** The type as PostgreSQL's format_type() prints it for the column Prisma's migrations create. */
function postgresType(model: Model, field: Field, names: PrismaNames): string {
  const base = field.kind === 'enum' ? names.enumType(field.type) : scalarType(model, field);
  return field.isList ? `${base}[]` : base;
}

function scalarType(model: Model, field: Field): string {
  const [nativeName, nativeArgs] = field.nativeType ?? [null, []];
  const precision = (fallback: string) => nativeArgs[0] ?? fallback;
  const key = `${field.type}:${nativeName ?? ''}`;
  switch (key) {
    case 'String:':
    case 'String:Text':
      return 'text';
    case 'String:Uuid':
      return 'uuid';
    case 'String:VarChar':
      return nativeArgs.length ? `character varying(${nativeArgs[0]})` : 'character varying';
    case 'String:Char':
      return `character(${precision('1')})`;
    case 'Boolean:':
      return 'boolean';
    case 'Int:':
    case 'Int:Integer':
      return 'integer';
    case 'Int:SmallInt':
      return 'smallint';
    case 'BigInt:':
      return 'bigint';
    case 'Float:':
      return 'double precision';
    case 'Decimal:':
      return 'numeric(65,30)';
    case 'Decimal:Decimal':
      return `numeric(${nativeArgs.join(',')})`;
    case 'DateTime:':
      return 'timestamp(3) without time zone';
    case 'DateTime:Timestamp':
      return nativeArgs.length
        ? `timestamp(${nativeArgs[0]}) without time zone`
        : 'timestamp without time zone';
    case 'DateTime:Timestamptz':
      return nativeArgs.length ? `timestamp(${nativeArgs[0]}) with time zone` : 'timestamp with time zone';
    case 'DateTime:Date':
      return 'date';
    case 'Bytes:':
      return 'bytea';
    case 'Json:':
      return 'jsonb';
    default:
      throw new Error(
        `${model.name}.${field.name}: no PostgreSQL type known for ${field.type} ${nativeName ?? ''}`,
      );
  }
}

/** The column default as pg_get_expr() prints it, casts removed; null when the database has none. */
function columnDefault(model: Model, field: Field, type: string): string | null {
  const value = field.default;
  if (value === undefined) return null;
  // Prisma writes `@default([])` as `DEFAULT ARRAY[]::<type>`, which PostgreSQL keeps with its cast.
  if (Array.isArray(value) && value.length === 0) return `ARRAY[]::${type}`;
  if (typeof value !== 'object')
    return typeof value === 'string' ? `'${value.replaceAll("'", "''")}'` : String(value);
  if (!('name' in value)) throw new Error(`${model.name}.${field.name}: list defaults are not compared yet`);
  if (value.name === 'now') return 'CURRENT_TIMESTAMP';
  if (value.name === 'dbgenerated') return String(value.args[0]);
  if (CLIENT_SIDE_DEFAULTS.has(value.name)) return null;
  throw new Error(`${model.name}.${field.name}: @default(${value.name}()) is not compared yet`);
}
