import { randomUUID } from 'node:crypto';
import { type Pool } from 'pg';
import { testApiConfig } from '../support/config';
import { createTestPool } from '../support/database';
import { request, startApi, type RunningApi } from '../support/http';
import { createSectionFixture, createUsers, type SectionFixture, signInAs } from '../support/roster-factory';
import { concrete, inventoriedRoutes, type RegisteredRoute } from '../support/routes';

/** Signing out ends the sweep's own session; it takes no input to get wrong. */
const SKIPPED = new Set(['POST /v1/auth/logout']);

/** Path parameters no route can accept: not ids, traversal, control characters, SQL, very long. */
const BAD_PARAMS = [
  'not-a-uuid',
  '..%2F..%2Fetc%2Fpasswd',
  '%00',
  "1'%20OR%20'1'%3D'1",
  'x'.repeat(400),
  '00000000-0000-0000-0000-00000000000g',
];

/** Bodies that are not JSON, or JSON whose every field has the wrong type. */
const BAD_BODIES: { contentType: string; body: string }[] = [
  { contentType: 'application/json', body: '{"body": ' },
  { contentType: 'application/json', body: '[]' },
  { contentType: 'application/json', body: 'null' },
  { contentType: 'application/json', body: '"just a string"' },
  {
    contentType: 'application/json',
    body: JSON.stringify({
      body: 12,
      participantId: { $ne: null },
      attachmentIds: 'all',
      preferredLanguage: ['es'],
      code: true,
      username: 7,
      password: null,
      token: 5,
      ttlSeconds: 'forever',
    }),
  },
  { contentType: 'text/plain', body: 'body=hello' },
  { contentType: 'multipart/form-data; boundary=nothing', body: '--nothing\r\nbroken' },
];

const BAD_QUERIES = [
  '?cursor=%25%25%25',
  '?cursor=eyJ4IjoxfQ',
  '?cursor=bm90LWpzb24',
  '?limit=-5&role=nope',
  '?sourcedId[]=a&sourcedId[]=b',
];

/** What a district's content tables hold: a bad request must leave every one of them as it was. */
const FINGERPRINT_TABLES = [
  'messages',
  'conversations',
  'announcements',
  'deliveries',
  'attachments',
  'translations',
  'workflow_outbox',
  'roster_imports',
  'invitations',
  'sections',
  'section_memberships',
  'guardian_links',
  'security_alerts',
];

/**
 * DESIGN.md invariant 9: bad input gets a 4xx with a clear message and changes nothing; no request can
 * produce a 5xx by its content alone. Every registered route is called, as every role, with malformed
 * path parameters, bodies and query strings.
 */
describe('bad input on every route', () => {
  let api: RunningApi;
  let pool: Pool;
  let fixture: SectionFixture;
  const tokens: Record<string, string> = {};
  let conversationId: string;

  beforeAll(async () => {
    api = await startApi(testApiConfig());
    pool = createTestPool();
    fixture = await createSectionFixture(pool, { students: 1 });
    const [admin] = await createUsers(pool, fixture.districtId, 'district_admin', 1, fixture.schoolId);
    const [schoolAdmin] = await createUsers(pool, fixture.districtId, 'school_admin', 1, fixture.schoolId);
    const users = {
      district_admin: admin!.id,
      school_admin: schoolAdmin!.id,
      teacher: fixture.teachers[0]!.id,
      student: fixture.students[0]!.id,
      guardian: fixture.guardians[0]!.id,
    };
    for (const [role, id] of Object.entries(users))
      tokens[role] = await signInAs(pool, fixture.districtId, id);
    const opened = await request<{ id: string }>(api.baseUrl, 'POST', '/v1/conversations', {
      token: tokens.teacher,
      json: { participantId: users.student },
    });
    expect(opened.status).toBe(201);
    conversationId = opened.body.id;
  }, 60_000);

  afterAll(async () => {
    await api?.close();
    await pool?.end();
  });

  const fingerprint = async () => {
    const counts: Record<string, number> = {};
    for (const table of FINGERPRINT_TABLES) {
      const { rows } = await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${table} WHERE district_id = $1`,
        [fixture.districtId],
      );
      counts[table] = rows[0]!.n;
    }
    return counts;
  };

  async function call(
    route: RegisteredRoute,
    path: string,
    token: string,
    body?: (typeof BAD_BODIES)[number],
  ) {
    const res = await fetch(`${api.baseUrl}${path}`, {
      method: route.method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body ? { 'content-type': body.contentType } : {}),
      },
      body: body?.body,
    });
    const text = await res.text();
    return { request: `${route.method} ${path.slice(0, 120)}`, status: res.status, text };
  }

  it('when any route gets malformed parameters, bodies or queries from any role, then it never answers 5xx, every refusal has the contract shape, and nothing changes', async () => {
    const routes = inventoriedRoutes(api).filter(
      (r) => !SKIPPED.has(`${r.method} ${r.path}`) && !r.path.startsWith('/health'),
    );
    const before = await fingerprint();
    const failures: { request: string; status: number; text: string }[] = [];
    let calls = 0;

    for (const token of Object.values(tokens)) {
      for (const route of routes) {
        const hasBody = route.method !== 'GET' && route.method !== 'DELETE';
        const answers = [];
        if (route.path.includes(':')) {
          for (const bad of BAD_PARAMS) {
            answers.push(
              await call(
                route,
                concrete(route.path, () => bad),
                token,
                hasBody ? BAD_BODIES[0] : undefined,
              ),
            );
          }
        }
        // Real targets where the sweep has them, so validation of the body is reached, not just a 404.
        const real: Record<string, string> = { sectionId: fixture.sectionId, conversationId };
        const path = concrete(route.path, (name) => real[name] ?? randomUUID());
        if (hasBody) for (const body of BAD_BODIES) answers.push(await call(route, path, token, body));
        else for (const query of BAD_QUERIES) answers.push(await call(route, `${path}${query}`, token));
        for (const answer of answers) {
          calls += 1;
          const shaped = (() => {
            try {
              return (
                typeof (JSON.parse(answer.text) as { error?: { code?: unknown } }).error?.code === 'string'
              );
            } catch {
              return false;
            }
          })();
          if (answer.status >= 500 || (answer.status >= 400 && !shaped)) failures.push(answer);
        }
      }
    }

    expect(calls).toBeGreaterThan(500);
    expect(failures).toEqual([]);
    expect(await fingerprint()).toEqual(before);
  }, 180_000);
});
