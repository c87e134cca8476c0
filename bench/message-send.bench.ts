import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, createServer, request as httpRequest } from 'node:http';
import { Pool } from 'pg';
import { hashToken } from '../libs/crypto/hashing';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort, type ManagedProcess, waitFor } from '../test/support/processes';
import { createDistrict, createSection, createUsers, signInMany } from '../test/support/roster-factory';

/**
 * One-to-one message send under load: CLIENTS concurrent clients, each a teacher writing to a student
 * of their section, for SECONDS, against the compiled API (`npm run build`). Beside it, the baseline:
 * a bare Node HTTP server (no Nest, no policy, no encryption) doing the same session lookup and one
 * INSERT per request, in a process of its own like the API. Both use a pool of 10 connections.
 *
 * Run: `npm run bench message-send`, or in the test environment (`source scripts/test-env.sh`)
 * `npx tsc -p tsconfig.build.json && node dist/bench/message-send.bench.js`. Options by environment:
 * BENCH_SEND_CLIENTS (64), BENCH_SEND_SECONDS (30), BENCH_SEND_WARMUP_SECONDS (3). `run()` is what
 * bench/run.ts calls.
 */

const CLIENTS = Number(process.env.BENCH_SEND_CLIENTS ?? 64);
const SECONDS = Number(process.env.BENCH_SEND_SECONDS ?? 30);
const WARMUP_SECONDS = Number(process.env.BENCH_SEND_WARMUP_SECONDS ?? 3);
const POOL_SIZE = 10;
const BODY = 'Reminder: the permission slip for Friday is due tomorrow. Please sign it tonight. '.repeat(3);

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  throughputPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  peakRssMb: number | null;
  /** CPU time (user + system) the server process spent per request during the measured period. */
  serverCpuMsPerRequest: number | null;
}

/** A figure beside its baseline, as bench/run.ts prints them. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  baseline?: { name?: string; value: number; unit: string };
}

export interface MessageSendReport {
  results: BenchResult[];
  clients: number;
  seconds: number;
  api: LoadResult;
  baseline: LoadResult & { what: string };
  targets: { throughputPerSecond: number; p99Ms: number; met: boolean };
}

interface Client {
  token: string;
  conversationId: string;
}

export async function run(): Promise<MessageSendReport> {
  const databaseUrl = required('DATABASE_URL');
  const pool = new Pool({ connectionString: databaseUrl, max: 4 });
  try {
    const { districtId, schoolId } = await createDistrict(pool, `Send bench ${randomUUID()}`);
    const teachers = await createUsers(pool, districtId, 'teacher', CLIENTS, schoolId);
    const students = await createUsers(pool, districtId, 'student', CLIENTS, schoolId);
    await createSection(pool, districtId, schoolId, { teachers, students });
    const tokens = await signInMany(
      pool,
      districtId,
      teachers.map((t) => t.id),
    );

    const port = await freePort();
    const api = spawnNode(join(__dirname, '../apps/api/src/main.js'), [], {
      API_PORT: String(port),
      API_HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DATABASE_POOL_SIZE: String(POOL_SIZE),
      // Each bench teacher sends far more than a person could in an hour; the quota check itself (one
      // statement per send) is still measured, its limits just never refuse.
      QUOTA_MESSAGES_PER_USER_PER_HOUR: '1000000',
      QUOTA_MESSAGES_PER_DISTRICT_PER_HOUR: '1000000000',
    });
    let apiResult: LoadResult;
    let clients: Client[];
    try {
      const baseUrl = `http://127.0.0.1:${port}`;
      await waitFor('the API', async () => ((await fetch(`${baseUrl}/health/live`)).ok ? true : undefined));
      clients = await Promise.all(
        teachers.map(async (_teacher, i) => {
          const res = await fetch(`${baseUrl}/v1/conversations`, {
            method: 'POST',
            headers: { authorization: `Bearer ${tokens[i]}`, 'content-type': 'application/json' },
            body: JSON.stringify({ participantId: students[i]!.id }),
          });
          const body = (await res.json()) as { id: string };
          return { token: tokens[i]!, conversationId: body.id };
        }),
      );
      apiResult = await load(port, clients, (c) => `/v1/conversations/${c.conversationId}/messages`, api);
    } finally {
      await api.stop();
    }

    const dataKey = await pool.query<{ id: string }>(
      'SELECT id FROM data_keys WHERE district_id = $1 LIMIT 1',
      [districtId],
    );
    const baselinePort = await freePort();
    const baseline = spawnBaselineServer(baselinePort, databaseUrl, dataKey.rows[0]!.id);
    let baselineResult: LoadResult;
    try {
      await waitFor('the baseline server', async () =>
        baseline.output().includes('listening') ? true : undefined,
      );
      baselineResult = await load(baselinePort, clients, (c) => `/messages/${c.conversationId}`, baseline);
    } finally {
      await baseline.stop();
    }

    const targets = { throughputPerSecond: 1_500, p99Ms: 50 };
    const beside = (name: string, value: number, baseline: number, unit: string): BenchResult => ({
      name,
      value,
      unit,
      baseline: { name: 'bare authenticated insert', value: baseline, unit },
    });
    const label = `1:1 send, ${CLIENTS} clients, ${SECONDS} s`;
    return {
      results: [
        beside(
          `${label}: throughput`,
          apiResult.throughputPerSecond,
          baselineResult.throughputPerSecond,
          'msg/s',
        ),
        beside(`${label}: p50 latency`, apiResult.latencyMs.p50, baselineResult.latencyMs.p50, 'ms'),
        beside(`${label}: p99 latency`, apiResult.latencyMs.p99, baselineResult.latencyMs.p99, 'ms'),
        beside(`${label}: errors`, apiResult.errors, baselineResult.errors, 'requests'),
        beside(
          `${label}: server CPU per request`,
          apiResult.serverCpuMsPerRequest ?? Number.NaN,
          baselineResult.serverCpuMsPerRequest ?? Number.NaN,
          'ms',
        ),
        beside(
          'API peak RSS (send run)',
          apiResult.peakRssMb ?? Number.NaN,
          baselineResult.peakRssMb ?? Number.NaN,
          'MiB',
        ),
      ],
      clients: CLIENTS,
      seconds: SECONDS,
      api: apiResult,
      baseline: {
        what: 'node:http server, same session lookup (token hash → live session of an active user) + one INSERT',
        ...baselineResult,
      },
      targets: {
        ...targets,
        met:
          apiResult.throughputPerSecond >= targets.throughputPerSecond &&
          apiResult.latencyMs.p99 <= targets.p99Ms,
      },
    };
  } finally {
    await pool.end();
  }
}

/** CLIENTS closed loops, each sending its next message as soon as the last was answered. */
async function load(
  port: number,
  clients: Client[],
  pathOf: (client: Client) => string,
  server: ManagedProcess,
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: clients.length });
  const loop = async (client: Client, until: number, latencies: number[] | null, errors: { n: number }) => {
    while (Date.now() < until) {
      const started = performance.now();
      const status = await post(agent, port, pathOf(client), client.token, JSON.stringify({ body: BODY }));
      if (latencies) latencies.push(performance.now() - started);
      if (status !== 201) errors.n++;
    }
  };
  const warmupErrors = { n: 0 };
  await Promise.all(clients.map((c) => loop(c, Date.now() + WARMUP_SECONDS * 1000, null, warmupErrors)));
  const latencies: number[] = [];
  const errors = { n: 0 };
  const cpuBefore = cpuMs(server.child.pid);
  const started = performance.now();
  await Promise.all(clients.map((c) => loop(c, Date.now() + SECONDS * 1000, latencies, errors)));
  const elapsed = (performance.now() - started) / 1000;
  const cpuAfter = cpuMs(server.child.pid);
  agent.destroy();
  return {
    requests: latencies.length,
    errors: errors.n,
    seconds: round(elapsed),
    throughputPerSecond: round((latencies.length - errors.n) / elapsed),
    latencyMs: {
      p50: round(percentile(latencies, 50)),
      p90: round(percentile(latencies, 90)),
      p99: round(percentile(latencies, 99)),
      max: round(Math.max(...latencies)),
    },
    peakRssMb: peakRssMb(server.child.pid),
    serverCpuMsPerRequest:
      cpuBefore === null || cpuAfter === null || latencies.length === 0
        ? null
        : Math.round(((cpuAfter - cpuBefore) / latencies.length) * 100) / 100,
  };
}

/** CPU time a process has used so far (utime + stime from /proc), in milliseconds. */
function cpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // Fields 14 and 15 of stat (utime, stime), counted from the state field, in clock ticks of 10 ms.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

function post(agent: Agent, port: number, path: string, token: string, body: string): Promise<number> {
  return new Promise((resolve) => {
    const req = httpRequest(
      {
        agent,
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

function spawnBaselineServer(port: number, databaseUrl: string, dataKeyId: string): ManagedProcess {
  return spawnNode(__filename, ['--baseline-server'], {
    BASELINE_PORT: String(port),
    BASELINE_DATABASE_URL: databaseUrl,
    BASELINE_DATA_KEY_ID: dataKeyId,
  });
}

/** A compiled entry point (this file lives in dist/bench) as a process of its own, output captured. */
export function spawnNode(entry: string, args: string[], env: Record<string, string>): ManagedProcess {
  const child = spawn(
    process.execPath,
    [...(process.env.BENCH_NODE_FLAGS?.split(' ') ?? []), entry, ...args],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => output,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/**
 * The baseline: what any authenticated insert costs here. The same session lookup as the API's guard
 * (live session of an active user, by token hash) and one INSERT of a message row with an opaque body.
 */
function serveBaseline(): void {
  const pool = new Pool({ connectionString: required('BASELINE_DATABASE_URL'), max: POOL_SIZE });
  const dataKeyId = required('BASELINE_DATA_KEY_ID');
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
        const conversationId = req.url?.split('/')[2];
        if (!token || !conversationId) return reply(res, 401, {});
        const session = await pool.query<{ user_id: string; district_id: string }>(
          `SELECT s.user_id, s.district_id FROM sessions s JOIN users u ON u.id = s.user_id
           WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now() AND u.active`,
          [hashToken(token)],
        );
        const principal = session.rows[0];
        if (!principal) return reply(res, 401, {});
        const body = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { body: string }).body;
        const id = randomUUID();
        await pool.query(
          `INSERT INTO messages (id, district_id, conversation_id, sender_id, body_ciphertext, data_key_id, source_language)
           VALUES ($1, $2, $3, $4, $5, $6, 'en')`,
          [
            id,
            principal.district_id,
            conversationId,
            principal.user_id,
            randomBytes(Buffer.byteLength(body) + 29),
            dataKeyId,
          ],
        );
        reply(res, 201, { id });
      })().catch(() => reply(res, 500, {}));
    });
  });
  server.listen(Number(required('BASELINE_PORT')), '127.0.0.1', () => process.stdout.write('listening\n'));
  process.on('SIGTERM', () => server.close(() => void pool.end().then(() => process.exit(0))));
}

function reply(res: import('node:http').ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Peak resident set size of a running process (Linux VmHWM), in MiB. */
export function peakRssMb(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? round(Number(match[1]) / 1024) : null;
  } catch {
    return null;
  }
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set; run in the test environment (npm run bench)`);
  return value;
}

if (require.main === module) {
  if (process.argv.includes('--baseline-server')) {
    serveBaseline();
  } else {
    run().then(
      (report) => process.stdout.write(`${JSON.stringify({ bench: 'message-send', ...report }, null, 2)}\n`),
      (error: unknown) => {
        process.stderr.write(`message-send bench: ${error instanceof Error ? error.stack : String(error)}\n`);
        process.exit(1);
      },
    );
  }
}
