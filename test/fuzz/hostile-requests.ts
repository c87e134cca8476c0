/**
 * The hostile shapes issue 11 names, sent to every operation of the OpenAPI document on top of what
 * schemathesis generates (its fuzzing phase sends them too, but only now and then; these are sent every
 * time): unknown properties named with regex metacharacters and a catastrophic-backtracking pattern,
 * NUL and other C0 bytes, lone surrogates, huge and negative numbers, deep nesting, thousands of keys,
 * wrong content types, malformed path ids and query values.
 */

interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  pattern?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
}

interface Operation {
  parameters?: { name: string; in: string; schema?: Schema }[];
  requestBody?: { content: Record<string, { schema?: Schema }> };
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

export interface HostileRequest {
  label: string;
  method: string;
  path: string;
  contentType?: string;
  body?: string;
}

export const REGEX_KEYS = ['(', '[', 'a)b', '\\', '(a+)+$', '(a|aa)+$', `${'a'.repeat(30)}!`];

const HOSTILE_STRINGS: Record<string, string> = {
  nul: '\u0000',
  'nul inside': 'name\u0000suffix',
  'C0 controls': '\u0001\u0002\u0007\u001b[31m\u007f',
  'lone high surrogate': '\ud800',
  'lone low surrogate': 'x\udfffy',
  'bidi and zero-width': '\u202e\ufeff\u200b',
  'very long': 'a'.repeat(70_000),
};

const HOSTILE_NUMBERS: Record<string, number | string> = {
  negative: -1,
  'min int64': -9_223_372_036_854_775_808,
  'huge integer': 1e21,
  'max double': Number.MAX_VALUE,
  'negative max double': -Number.MAX_VALUE,
  denormal: 5e-324,
};

const BAD_PATH_IDS: Record<string, string> = {
  'not a uuid': 'not-a-uuid',
  'encoded NUL': '%00',
  'encoded lone surrogate': '%ED%A0%80',
  'invalid percent encoding': '%E0%A4%A',
  'regex metacharacters': encodeURIComponent('(a+)+$'),
  'uuid with trailing NUL': '00000000-0000-4000-8000-000000000000%00',
  'very long': 'f'.repeat(2_000),
};

const BAD_QUERY_VALUES: Record<string, string> = {
  'encoded NUL': '%00',
  'encoded lone surrogate': '%ED%A0%80',
  'C0 controls': '%01%02%1B',
  'regex metacharacters': encodeURIComponent('(a+)+$'),
  'repeated parameter': 'a&cursor=b&limit=1&limit=2',
  'very long': 'c'.repeat(4_000),
  'huge number': '1e308',
  'negative number': '-99999999999999999999',
};

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i += 1) value = { n: value };
  return value;
}

function resolve(document: OpenApiDocument, schema: Schema | undefined): Schema {
  if (!schema?.$ref) return schema ?? {};
  return document.components?.schemas?.[schema.$ref.split('/').pop()!] ?? {};
}

/** A value the schema accepts, so that one hostile field at a time reaches the handler's checks. */
function validValue(
  document: OpenApiDocument,
  schema: Schema,
  name: string,
  ids: Record<string, string>,
): unknown {
  const resolved = resolve(document, schema);
  if (resolved.enum?.length) return resolved.enum[0];
  if (resolved.type === 'array') return [];
  if (resolved.type === 'object') return validBody(document, resolved, ids);
  if (resolved.type === 'integer' || resolved.type === 'number') return 1;
  if (resolved.type === 'boolean') return true;
  if (resolved.format === 'uuid') return ids[name] ?? ids.userId;
  if (resolved.pattern === '^\\d{6}$') return '123456';
  if (resolved.pattern?.startsWith('^[A-Za-z0-9_-]')) return 'a'.repeat(32);
  return 'Hello from the fuzz suite';
}

function validBody(document: OpenApiDocument, schema: Schema, ids: Record<string, string>) {
  const body: Record<string, unknown> = {};
  for (const name of schema.required ?? [])
    body[name] = validValue(document, schema.properties?.[name] ?? {}, name, ids);
  return body;
}

type Mutation = [label: string, text: (body: Record<string, unknown>) => string];

const json = (mutate: (body: Record<string, unknown>) => unknown) => (body: Record<string, unknown>) =>
  JSON.stringify(mutate(body));

/** JSON nested `depth` objects deep, written as text: too deep for JSON.stringify's own recursion. */
function deeplyNested(body: Record<string, unknown>, depth: number): string {
  const marker = '"__deep__"';
  return JSON.stringify({ ...body, deep: '__deep__' }).replace(
    marker,
    `${'{"n":'.repeat(depth)}"leaf"${'}'.repeat(depth)}`,
  );
}

function bodyMutations(fields: string[]): Mutation[] {
  const out: Mutation[] = REGEX_KEYS.map((key) => [
    `unknown property ${JSON.stringify(key)}`,
    json((body) => ({ ...body, [key]: 'x' })),
  ]);
  for (const field of fields) {
    for (const [label, text] of Object.entries(HOSTILE_STRINGS))
      out.push([`${field}: ${label}`, json((body) => ({ ...body, [field]: text }))]);
    for (const [label, number] of Object.entries(HOSTILE_NUMBERS))
      out.push([`${field}: ${label}`, json((body) => ({ ...body, [field]: number }))]);
    out.push([`${field}: nested 200 deep`, json((body) => ({ ...body, [field]: nested(200) }))]);
    out.push([
      `${field}: array of nested objects`,
      json((body) => ({ ...body, [field]: Array(50).fill(nested(30)) })),
    ]);
  }
  out.push([
    '5,000 unknown keys',
    json((body) => ({
      ...body,
      ...Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, i])),
    })),
  ]);
  out.push(['nested 5,000 deep', (body) => deeplyNested(body, 5_000)]);
  out.push(['nested 100,000 deep', (body) => deeplyNested(body, 100_000)]);
  out.push(['top-level array', json((body) => [body])]);
  out.push(['top-level string', json(() => 'body')]);
  return out;
}

/** Every hostile request for every operation of the document, path ids filled from `ids` where known. */
export function* hostileRequests(
  document: OpenApiDocument,
  ids: Record<string, string>,
): Generator<HostileRequest> {
  for (const [template, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const METHOD = method.toUpperCase();
      const pathParams = (operation.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
      const fill = (value: (name: string) => string) =>
        template.replace(/\{(\w+)\}/g, (_match, name: string) => value(name));
      const realPath = fill((name) => ids[name] ?? '00000000-0000-4000-8000-000000000000');
      const where = `${METHOD} ${template}`;

      for (const [label, bad] of Object.entries(BAD_PATH_IDS)) {
        for (const param of pathParams)
          yield {
            label: `${where} ${param}: ${label}`,
            method: METHOD,
            path: fill((name) => (name === param ? bad : (ids[name] ?? bad))),
          };
      }
      for (const param of (operation.parameters ?? []).filter((p) => p.in === 'query')) {
        for (const [label, bad] of Object.entries(BAD_QUERY_VALUES))
          yield {
            label: `${where} ?${param.name}: ${label}`,
            method: METHOD,
            path: `${realPath}?${param.name}=${bad}`,
          };
      }

      const content = operation.requestBody?.content ?? {};
      const jsonBody = content['application/json'];
      if (jsonBody) {
        const schema = resolve(document, jsonBody.schema);
        const base = validBody(document, schema, ids);
        for (const [label, text] of bodyMutations(Object.keys(schema.properties ?? {})))
          yield {
            label: `${where} body ${label}`,
            method: METHOD,
            path: realPath,
            contentType: 'application/json',
            body: text(base),
          };
        for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml'])
          yield {
            label: `${where} body as ${contentType}`,
            method: METHOD,
            path: realPath,
            contentType,
            body: 'body=hello',
          };
      }
      if (content['multipart/form-data']) {
        yield {
          label: `${where} JSON instead of multipart`,
          method: METHOD,
          path: realPath,
          contentType: 'application/json',
          body: '{"file":"x"}',
        };
        yield {
          label: `${where} multipart without a boundary`,
          method: METHOD,
          path: realPath,
          contentType: 'multipart/form-data',
          body: '--x\r\n\r\n',
        };
        yield {
          label: `${where} multipart with a NUL in the filename`,
          method: METHOD,
          path: realPath,
          contentType: 'multipart/form-data; boundary=b',
          body: '--b\r\nContent-Disposition: form-data; name="file"; filename="a\u0000.pdf"\r\n\r\n%PDF-1.4\r\n--b--\r\n',
        };
      }
      if (!jsonBody && METHOD !== 'GET')
        yield {
          label: `${where} unexpected JSON body with a regex key`,
          method: METHOD,
          path: realPath,
          contentType: 'application/json',
          body: JSON.stringify({ '(a+)+$': 1 }),
        };
    }
  }
}
