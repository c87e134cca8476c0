import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { strToU8, zipSync } from 'fflate';
import { type Pool } from 'pg';
import { hashPassword } from '../../libs/identity/passwords';
import { testApiConfig } from '../support/config';
import { createTestPool } from '../support/database';
import {
  createAdminWithTotp,
  openTestDatabase,
  signIn,
  strongPassword,
  type TestDatabase,
} from '../support/factories';
import { request, startApi, type RunningApi } from '../support/http';
import { createSectionFixture, createUsers } from '../support/roster-factory';
import { connectTestClient } from '../support/temporal-client';
import { hostileRequests, type OpenApiDocument } from './hostile-requests';
import { minimalPdf } from '../support/sample-files';
import { upload as uploadAttachment } from '../support/attachments';

/**
 * Issue 11: every operation of the OpenAPI document, as every role, fuzzed by schemathesis (valid and
 * invalid parameters and bodies; schemathesis_hooks.py mixes in the district's real ids and hostile
 * shapes), then every hostile shape of hostile-requests.ts sent to every operation. A run fails on any
 * 5xx, any answer slower than 1 s, any status, content type or body the document does not describe,
 * any refusal outside the contract's error shape, and any event-loop delay over 1 s in this process
 * (the API runs in it). Figures per role and operation go to .data/fuzz-report.json.
 *
 * `npm test` runs a short pass (FUZZ_MAX_EXAMPLES per operation and phase); `npm run fuzz` a long one.
 */

const TOOLS_DIR = process.env.HOMEROOM_TOOLS_DIR ?? join(__dirname, '../../.tools');
const DATA_DIR = process.env.HOMEROOM_DATA_DIR ?? join(__dirname, '../../.data');
const SCHEMATHESIS = join(TOOLS_DIR, 'schemathesis/bin/schemathesis');
const HOOKS = join(__dirname, 'schemathesis_hooks.py');
const MAX_EXAMPLES = Number(process.env.FUZZ_MAX_EXAMPLES ?? 6);
const LONG_RUN = MAX_EXAMPLES > 20;
const SLOW_MS = 1_000;
const TASK_QUEUE = `fuzz-${randomUUID()}`;
const REPORT_FILE = join(DATA_DIR, LONG_RUN ? 'fuzz-report-long.json' : 'fuzz-report.json');

type Role = 'anonymous' | 'student' | 'guardian' | 'teacher' | 'school_admin' | 'district_admin';
const ROLES: Role[] = ['anonymous', 'student', 'guardian', 'teacher', 'school_admin', 'district_admin'];

interface Observed {
  operation: string;
  method: string;
  url: string;
  status: number;
  ms: number;
}

/**
 * The document's operation a request was for, by its path: requests refused before routing (a body
 * that does not parse, or is too large) have no Express route to name it.
 */
function operationOf(document: OpenApiDocument, method: string, url: string): string {
  const path = url.split('?')[0]!;
  for (const [template, item] of Object.entries(document.paths)) {
    if (!item[method.toLowerCase()]) continue;
    const parts = template.split('/');
    const given = path.split('/');
    if (parts.length === given.length && parts.every((part, i) => part.startsWith('{') || part === given[i]))
      return `${method} ${template.replace(/\{(\w+)\}/g, ':$1')}`;
  }
  return `${method} (no such operation)`;
}

/** Every answer the in-process API gives, seen from its own HTTP server: the fuzzer's view cannot lie. */
function recordAnswers(server: Server, document: OpenApiDocument) {
  const seen: Observed[] = [];
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const route = (req as IncomingMessage & { route?: { path?: string } }).route?.path;
      seen.push({
        operation: route ? `${req.method} ${route}` : operationOf(document, req.method ?? '', req.url ?? ''),
        method: req.method ?? '',
        url: (req.url ?? '').slice(0, 160),
        status: res.statusCode,
        ms: Number(process.hrtime.bigint() - started) / 1e6,
      });
    });
  };
  server.on('request', listener);
  return { seen, stop: () => server.off('request', listener) };
}

interface RunResult {
  exitCode: number | null;
  output: string;
}

/** Runs schemathesis without blocking this process's event loop: the API under test lives in it. */
function runSchemathesis(args: string[], env: Record<string, string>, cwd: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    // In the report directory: schemathesis keeps a cache (.schemathesis/) in its working directory.
    const child = spawn(SCHEMATHESIS, args, {
      cwd,
      env: { ...process.env, ...env, NO_COLOR: '1', PYTHONIOENCODING: 'utf-8' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ exitCode, output }));
  });
}

/** The operation, check and answer of each failure schemathesis printed, without its long reproductions. */
function failureDigest(output: string): string[] {
  const start = output.indexOf('= FAILURES =');
  if (start < 0) return output.split('\n').slice(-40);
  const lines = output.slice(start).split('\n');
  const keep = lines.filter((line) =>
    /^_{3,} [A-Z]+ |^- |^ {4}(Received|Documented|Expected|Invalid component|Value|Actual|Response time)|^\[\d{3}\]|^ {4}curl /.test(
      line,
    ),
  );
  return keep.map((line) => line.slice(0, 300));
}

/**
 * The run's configuration. A schema-violating request must be refused with a 4xx the contract names;
 * 413 is among them, as a body over the JSON limit is refused before anything reads it. Signing out
 * gets a session of its own, or fuzzing it would end the session every other operation runs with.
 */
function schemathesisConfig(token?: string, logoutToken?: string): string {
  const bearer = (value: string) => `{ Authorization = "Bearer ${value}" }`;
  return [
    ...(token ? [`headers = ${bearer(token)}`] : []),
    '',
    '[checks.negative_data_rejection]',
    'expected-statuses = [400, 401, 403, 404, 409, 413, 415, 429]',
    ...(logoutToken
      ? ['', '[[operations]]', 'include-path = "/v1/auth/logout"', `headers = ${bearer(logoutToken)}`]
      : []),
    '',
  ].join('\n');
}

interface RoleSummary {
  role: Role;
  kind: 'schemathesis' | 'hostile';
  exitCode: number | null;
  requests: number;
  serverErrors: string[];
  slowest: { ms: number; request: string };
  worstEventLoopDelayMs: number;
}

describe('schema-driven fuzzing of the OpenAPI document', () => {
  let api: RunningApi;
  let pool: Pool;
  let database: TestDatabase;
  const tokens: Partial<Record<Role, string>> = {};
  const logoutTokens: Partial<Record<Role, string>> = {};
  let openApiDocument: OpenApiDocument;
  const fixtureIds: Record<string, string> = {};
  const summaries: RoleSummary[] = [];
  const perOperation = new Map<
    string,
    { requests: number; statuses: Record<string, number>; examples: string[] }
  >();

  beforeAll(async () => {
    // Workflows the fuzzing starts (fan-outs, scans, imports) go to a queue no worker polls; afterAll
    // ends them.
    api = await startApi(
      testApiConfig({ TEMPORAL_TASK_QUEUE: TASK_QUEUE, TEMPORAL_SCAN_TASK_QUEUE: `${TASK_QUEUE}-scan` }),
    );
    mkdirSync(join(DATA_DIR, 'fuzz'), { recursive: true });
    openApiDocument = (await request<OpenApiDocument>(api.baseUrl, 'GET', '/docs/openapi.json')).body;
    writeFileSync(join(DATA_DIR, 'fuzz', 'openapi.json'), JSON.stringify(openApiDocument, null, 2));
    pool = createTestPool();
    database = openTestDatabase();
    const { db } = database;
    const fixture = await createSectionFixture(pool, { students: 1 });
    const { districtId, schoolId } = fixture;
    const member = async (role: Role, id: string) => {
      const password = strongPassword();
      await db.forDistrict(districtId).users.setPassword(id, await hashPassword(password));
      const credentials = { districtId, username: `u-${id}`, password };
      tokens[role] = await signIn(api.baseUrl, credentials);
      logoutTokens[role] = await signIn(api.baseUrl, credentials);
    };
    await member('teacher', fixture.teachers[0]!.id);
    await member('student', fixture.students[0]!.id);
    await member('guardian', fixture.guardians[0]!.id);
    const schoolAdmin = await createAdminWithTotp(db, districtId, { role: 'school_admin', schoolId });
    const districtAdmin = await createAdminWithTotp(db, districtId);
    for (const [role, admin] of [
      ['school_admin', schoolAdmin],
      ['district_admin', districtAdmin],
    ] as const) {
      tokens[role] = await admin.signIn(api.baseUrl);
      logoutTokens[role] = await admin.signIn(api.baseUrl);
    }

    // Real ids of the district, so part of the fuzzing reaches handlers rather than 404s.
    const conversation = await request<{ id: string }>(api.baseUrl, 'POST', '/v1/conversations', {
      token: tokens.teacher,
      json: { participantId: fixture.students[0]!.id },
    });
    expect(conversation.status).toBe(201);
    const message = await request<{ id: string }>(
      api.baseUrl,
      'POST',
      `/v1/conversations/${conversation.body.id}/messages`,
      { token: tokens.teacher, json: { body: 'Fuzz fixture message' } },
    );
    expect(message.status).toBe(201);
    const announcement = await request<{ id: string }>(
      api.baseUrl,
      'POST',
      `/v1/sections/${fixture.sectionId}/announcements`,
      { token: tokens.teacher, json: { body: 'Fuzz fixture announcement' } },
    );
    expect(announcement.status).toBe(202);
    const attachment = await uploadAttachment(api.baseUrl, tokens.teacher!, minimalPdf(), 'fuzz.pdf');
    expect(attachment.status).toBe(202);
    const rosterForm = new FormData();
    rosterForm.append(
      'file',
      new Blob([Buffer.from(zipSync({ 'manifest.csv': strToU8('propertyName,value\n') }))], {
        type: 'application/zip',
      }),
      'roster.zip',
    );
    const rosterImport = await fetch(`${api.baseUrl}/v1/admin/roster/imports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.district_admin}` },
      body: rosterForm,
    });
    expect(rosterImport.status).toBe(202);
    Object.assign(fixtureIds, {
      importId: ((await rosterImport.json()) as { importId: string }).importId,
      sectionId: fixture.sectionId,
      conversationId: conversation.body.id,
      messageId: message.body.id,
      announcementId: announcement.body.id,
      id: attachment.body.id!,
      participantId: fixture.students[0]!.id,
      // Invitations reset the invitee's password: fuzz them on a student nobody signs in as.
      userId: (await createUsers(pool, districtId, 'student', 1, schoolId))[0]!.id,
    });
  }, 120_000);

  afterAll(async () => {
    mkdirSync(DATA_DIR, { recursive: true });
    const operations = Object.fromEntries([...perOperation.entries()].sort(([a], [b]) => a.localeCompare(b)));
    const total = summaries.reduce((n, s) => n + s.requests, 0);
    writeFileSync(
      REPORT_FILE,
      JSON.stringify(
        {
          maxExamplesPerOperation: MAX_EXAMPLES,
          roles: summaries,
          totalRequests: total,
          serverErrors: summaries.reduce((n, s) => n + s.serverErrors.length, 0),
          slowestResponseMs: Math.max(0, ...summaries.map((s) => s.slowest.ms)),
          worstEventLoopDelayMs: Math.max(0, ...summaries.map((s) => s.worstEventLoopDelayMs)),
          operations,
        },
        null,
        2,
      ),
    );
    const table = summaries.map(
      (s) =>
        `${s.role.padEnd(15)} ${s.kind.padEnd(13)} ${String(s.requests).padStart(6)} req  5xx ${s.serverErrors.length}  ` +
        `slowest ${s.slowest.ms.toFixed(0)} ms  loop ${s.worstEventLoopDelayMs.toFixed(0)} ms  exit ${s.exitCode}`,
    );
    console.log(`fuzz report (${REPORT_FILE}):\n${table.join('\n')}\ntotal ${total} requests`);
    await api?.close();
    await pool?.end();
    await database?.close();
    const client = await connectTestClient();
    for (const queue of [TASK_QUEUE, `${TASK_QUEUE}-scan`]) {
      for await (const run of client.workflow.list({
        query: `TaskQueue="${queue}" AND ExecutionStatus="Running"`,
      }))
        await client.workflow.getHandle(run.workflowId, run.runId).terminate('fuzz run finished');
    }
    await client.connection.close();
  });

  /** Runs `work` while recording every answer and the event loop's worst delay; returns the summary. */
  async function measured(role: Role, kind: RoleSummary['kind'], work: () => Promise<number | null>) {
    const recorder = recordAnswers(api.app.getHttpServer() as Server, openApiDocument);
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    let exitCode: number | null;
    try {
      exitCode = await work();
    } finally {
      loop.disable();
      recorder.stop();
    }
    const seen = recorder.seen;
    for (const answer of seen) {
      const entry = perOperation.get(answer.operation) ?? { requests: 0, statuses: {}, examples: [] };
      entry.requests += 1;
      entry.statuses[answer.status] = (entry.statuses[answer.status] ?? 0) + 1;
      if (entry.examples.length < 3 && !entry.examples.some((e) => e.startsWith(`${answer.status} `)))
        entry.examples.push(`${answer.status} ${role} ${answer.method} ${answer.url}`);
      perOperation.set(answer.operation, entry);
    }
    const slowest = seen.reduce((worst, a) => (a.ms > worst.ms ? a : worst), {
      ms: 0,
      method: '',
      url: '',
    } as Observed);
    const summary: RoleSummary = {
      role,
      kind,
      exitCode,
      requests: seen.length,
      serverErrors: seen.filter((a) => a.status >= 500).map((a) => `${a.status} ${a.method} ${a.url}`),
      slowest: { ms: Math.round(slowest.ms), request: `${slowest.method} ${slowest.url}` },
      worstEventLoopDelayMs: Math.round(loop.max / 1e6),
    };
    summaries.push(summary);
    return summary;
  }

  it.each(ROLES)(
    'when schemathesis fuzzes every operation as %s, then no answer is a 5xx, slow, or off the document, and the event loop never stalls',
    async (role) => {
      const reportDir = join(DATA_DIR, LONG_RUN ? 'fuzz-long' : 'fuzz', role);
      mkdirSync(reportDir, { recursive: true });
      const configFile = join(reportDir, 'schemathesis.toml');
      writeFileSync(configFile, schemathesisConfig(tokens[role], logoutTokens[role]));
      let output = '';
      const summary = await measured(role, 'schemathesis', async () => {
        const result = await runSchemathesis(
          [
            '--config-file',
            configFile,
            'run',
            `${api.baseUrl}/docs/openapi.json`,
            '--checks',
            'not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,negative_data_rejection',
            '--max-response-time',
            String(SLOW_MS / 1_000),
            '--phases',
            'examples,coverage,fuzzing',
            '--mode',
            'all',
            '--max-examples',
            String(MAX_EXAMPLES),
            '--continue-on-failure',
            '--no-shrink',
            '--seed',
            process.env.FUZZ_SEED ?? '11',
            '--generation-database',
            'none',
            // One worker: schemathesis's threads race in Hypothesis's lambda-source cache (a KeyError).
            '--workers',
            '1',
            '--request-timeout',
            '10',
            '--report',
            'junit',
            '--report-junit-path',
            join(reportDir, 'junit.xml'),
          ],
          { SCHEMATHESIS_HOOKS: HOOKS, FUZZ_FIXTURE_IDS: JSON.stringify(fixtureIds) },
          reportDir,
        );
        output = result.output;
        return result.exitCode;
      });
      writeFileSync(join(reportDir, 'output.txt'), output);

      expect({
        exitCode: summary.exitCode,
        problems: summary.exitCode === 0 ? [] : failureDigest(output),
      }).toEqual({ exitCode: 0, problems: [] });
      expect(summary.serverErrors).toEqual([]);
      expect(summary.slowest.ms).toBeLessThan(SLOW_MS);
      expect(summary.worstEventLoopDelayMs).toBeLessThan(SLOW_MS);
      expect(summary.requests).toBeGreaterThan(100);
    },
    LONG_RUN ? 3_600_000 : 300_000,
  );

  it.each(ROLES)(
    'when every operation gets each hostile shape as %s, then each is a 4xx in the contract shape within a second',
    async (role) => {
      const refusals: string[] = [];
      // Signing out would end the session the other probes use.
      const token = (path: string) =>
        path.startsWith('/v1/auth/logout') ? logoutTokens[role] : tokens[role];
      const summary = await measured(role, 'hostile', async () => {
        for (const probe of hostileRequests(openApiDocument, fixtureIds)) {
          const started = performance.now();
          const res = await fetch(`${api.baseUrl}${probe.path}`, {
            method: probe.method,
            headers: {
              ...(token(probe.path) ? { authorization: `Bearer ${token(probe.path)}` } : {}),
              ...(probe.contentType ? { 'content-type': probe.contentType } : {}),
            },
            body: probe.body,
          });
          const text = await res.text();
          const ms = performance.now() - started;
          const shaped = res.status < 400 || hasErrorShape(text);
          if (res.status >= 500 || !shaped || ms >= SLOW_MS)
            refusals.push(`${res.status} ${Math.round(ms)} ms ${probe.label}: ${text.slice(0, 160)}`);
        }
        return 0;
      });

      expect(refusals).toEqual([]);
      expect(summary.serverErrors).toEqual([]);
      expect(summary.worstEventLoopDelayMs).toBeLessThan(SLOW_MS);
      expect(summary.requests).toBeGreaterThan(300);
    },
    LONG_RUN ? 3_600_000 : 300_000,
  );
});

function hasErrorShape(text: string): boolean {
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    return typeof body.error?.code === 'string' && typeof body.error.message === 'string';
  } catch {
    return false;
  }
}
