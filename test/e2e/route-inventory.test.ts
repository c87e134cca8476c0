import { request, startApi, type RunningApi } from '../support/http';
import { testApiConfig } from '../support/config';
import {
  concrete,
  inventoriedRoutes,
  isDocs,
  PUBLIC_ROUTES,
  registeredRoutes,
  ROUTE_INVENTORY,
} from '../support/routes';

describe('route inventory', () => {
  let api: RunningApi;
  beforeAll(async () => {
    api = await startApi(testApiConfig());
  });
  afterAll(() => api.close());

  it('when the app starts, then it registers exactly the routes of the inventory, the public ones among them', () => {
    const routes = registeredRoutes(api)
      .filter((r) => !isDocs(r.path))
      .map((r) => `${r.method} ${r.path}`);
    expect(routes.sort()).toEqual([...ROUTE_INVENTORY].sort());
    expect([...PUBLIC_ROUTES].filter((route) => !ROUTE_INVENTORY.includes(route))).toEqual([]);
  });

  it('when any non-public route is called without a token, then it answers 401 in the contract shape', async () => {
    const guarded = inventoriedRoutes(api).filter((r) => !PUBLIC_ROUTES.has(`${r.method} ${r.path}`));
    expect(guarded).toHaveLength(ROUTE_INVENTORY.length - PUBLIC_ROUTES.size);
    for (const route of guarded) {
      const res = await request<{ error: { code: string } }>(
        api.baseUrl,
        route.method,
        concrete(route.path),
        {
          json: route.method === 'GET' ? undefined : {},
        },
      );
      expect({ route: `${route.method} ${route.path}`, status: res.status }).toEqual({
        route: `${route.method} ${route.path}`,
        status: 401,
      });
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
    }
  });

  it('when a non-public route is called with a made-up token, then it answers 401', async () => {
    const guarded = inventoriedRoutes(api).filter((r) => !PUBLIC_ROUTES.has(`${r.method} ${r.path}`));
    expect(guarded).toHaveLength(ROUTE_INVENTORY.length - PUBLIC_ROUTES.size);
    for (const route of guarded) {
      const res = await request(api.baseUrl, route.method, concrete(route.path), {
        token: 'x'.repeat(43),
        json: route.method === 'GET' ? undefined : {},
      });
      expect({ route: `${route.method} ${route.path}`, status: res.status }).toEqual({
        route: `${route.method} ${route.path}`,
        status: 401,
      });
    }
  });

  it('when the docs are requested without a token, then the OpenAPI document lists the contract', async () => {
    const res = await request<{ openapi: string; paths: Record<string, unknown> }>(
      api.baseUrl,
      'GET',
      '/docs/openapi.json',
    );
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/health/live', '/health/ready']));
    const ui = await fetch(`${api.baseUrl}/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger');
  });

  it('when an unknown route is called, then the answer is a 404 in the contract shape', async () => {
    const res = await request<{ error: { code: string; correlationId: string } }>(
      api.baseUrl,
      'GET',
      '/v1/nothing-here',
    );
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
    expect(res.body.error.correlationId).toBeTruthy();
  });

  it('when a body is not valid JSON, then the answer is 400 VALIDATION_FAILED', async () => {
    const res = await request<{ error: { code: string } }>(api.baseUrl, 'POST', '/v1/auth/login', {
      headers: { 'content-type': 'application/json' },
      json: undefined,
    });
    const bad = await fetch(`${api.baseUrl}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"username": ',
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('VALIDATION_FAILED');
    expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('when a body is larger than the limit, then the answer is 413 and nothing is processed', async () => {
    const big = JSON.stringify({ username: 'x'.repeat(testApiConfig().REQUEST_BODY_LIMIT_BYTES + 10) });
    const res = await fetch(`${api.baseUrl}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: big,
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('when a response is sent, then it carries strict security headers', async () => {
    const res = await request(api.baseUrl, 'GET', '/health/live');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('strict-transport-security')).toContain('max-age=');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });
});
