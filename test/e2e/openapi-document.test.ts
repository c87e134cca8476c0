import { testApiConfig } from '../support/config';
import { request, type RunningApi, startApi } from '../support/http';
import { inventoriedRoutes, PUBLIC_ROUTES } from '../support/routes';

interface Parameter {
  name: string;
  in: string;
  schema?: { format?: string };
}
interface Response {
  content?: Record<string, { schema?: { $ref?: string } }>;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema?: { $ref?: string } }> };
  responses: Record<string, Response>;
  security?: Record<string, unknown>[];
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { additionalProperties?: boolean }>; securitySchemes: object };
  security?: unknown;
}

const ERROR_BODY = '#/components/schemas/ErrorBodyDto';
/** Path parameters that are not ids: the download link's own credential. */
const NOT_IDS = new Set(['token']);

/**
 * The fuzz suite checks answers against /docs/openapi.json, so the document must describe every route
 * fully: success and error statuses with the contract's error body, security where a session is needed
 * and none where it is not, path ids as UUIDs, request bodies that refuse unknown properties.
 */
describe('the OpenAPI document', () => {
  let api: RunningApi;
  let document: Document;
  const operations: [string, Operation][] = [];

  beforeAll(async () => {
    api = await startApi(testApiConfig());
    document = (await request<Document>(api.baseUrl, 'GET', '/docs/openapi.json')).body;
    for (const [path, item] of Object.entries(document.paths))
      for (const [method, operation] of Object.entries(item))
        operations.push([`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`, operation]);
  });

  afterAll(() => api?.close());

  it('when the app starts, then every registered route is in the document and nothing else is', () => {
    const registered = inventoriedRoutes(api)
      .map((r) => `${r.method} ${r.path}`)
      .sort();
    expect(operations.map(([name]) => name).sort()).toEqual(registered);
  });

  it('when an operation is documented, then every error status it lists has the contract error body', () => {
    const wrong = operations.flatMap(([name, operation]) =>
      Object.entries(operation.responses)
        .filter(([status]) => Number(status) >= 400)
        .filter(([, response]) => response.content?.['application/json']?.schema?.$ref !== ERROR_BODY)
        .map(([status]) => `${name} ${status}`),
    );
    expect(wrong).toEqual([]);
  });

  it('when an operation is documented, then it lists a success status (a redirect, for the sign-in steps) and the errors any route can give', () => {
    const missing = operations.flatMap(([name, operation]) => {
      const statuses = Object.keys(operation.responses);
      const needed = ['400', '413', '503', ...(PUBLIC_ROUTES.has(name) ? [] : ['401'])];
      return [
        ...(statuses.some((s) => s.startsWith('2') || s === '302') ? [] : [`${name} 2xx`]),
        ...needed.filter((s) => !statuses.includes(s)).map((s) => `${name} ${s}`),
      ];
    });
    expect(missing).toEqual([]);
  });

  it('when an operation needs a session, then it requires the bearer scheme, and public ones require nothing', () => {
    expect(document.security).toBeUndefined();
    const wrong = operations
      .filter(([name, operation]) => {
        const bearer = operation.security?.some((requirement) => 'bearer' in requirement) ?? false;
        const isPublic = PUBLIC_ROUTES.has(name) || name === 'GET /v1/attachments/:id/content/:token';
        return bearer === isPublic;
      })
      .map(([name]) => name);
    expect(wrong).toEqual([]);
  });

  it('when an operation has path ids, then each is a UUID and a 404 is documented', () => {
    const wrong = operations.flatMap(([name, operation]) =>
      (operation.parameters ?? [])
        .filter((p) => p.in === 'path' && !NOT_IDS.has(p.name))
        .filter((p) => p.schema?.format !== 'uuid' || !operation.responses['404'])
        .map((p) => `${name} ${p.name}`),
    );
    expect(wrong).toEqual([]);
  });

  it('when an operation takes a JSON body, then its schema refuses unknown properties as the validation pipe does', () => {
    const open = operations.flatMap(([name, operation]) => {
      const ref = operation.requestBody?.content['application/json']?.schema?.$ref;
      if (!ref) return [];
      const schema = document.components.schemas[ref.split('/').pop()!];
      return schema?.additionalProperties === false ? [] : [name];
    });
    expect(open).toEqual([]);
  });
});
