import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { bundleWorkflowCode } from '@temporalio/worker';
import { Client as PgClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { hashToken, randomToken } from '../libs/crypto/hashing';
import { Database } from '../libs/db/database';
import { expectedBulkSnapshot, generateRoster } from '../test/support/roster-generator/generator';
import { type RosterUser } from '../libs/domain/roster';
import { createMigratedScratchDatabase, type ScratchDatabase } from '../test/support/database';
import { freePort, waitFor } from '../test/support/processes';
import { type BenchResult, formatResult } from './run';
import { quietLogger } from './support';

/**
 * Roster import of a district of 50,000 students with 1.5 guardians each across 2,000 sections, end to
 * end through the compiled API and worker (`npm run build`): upload → status `succeeded`, first into an
 * empty district, then the same export again (nothing to change). Beside each, the baseline measured in
 * the same run: a raw PostgreSQL COPY of the same user rows into a scratch table shaped like `users`
 * (same columns, defaults and indexes) — the fastest way PostgreSQL can take those rows.
 *
 * Also reports the worker's peak RSS over both imports (VmHWM, Linux). Runs in a scratch database of
 * its own, dropped at the end. Options by environment: BENCH_ROSTER_STUDENTS (50000),
 * BENCH_ROSTER_SECTIONS (2000), BENCH_ROSTER_CPU_PROF_DIR (the worker writes a V8 CPU profile there),
 * BENCH_ROSTER_WORKER_LOG (the worker's log is written to this file, for its phase timings).
 */

const STUDENTS = Number(process.env.BENCH_ROSTER_STUDENTS ?? 50_000);
const SECTIONS = Number(process.env.BENCH_ROSTER_SECTIONS ?? 2_000);
/** Status polls this often: the measured time is at most this much late. */
const POLL_MS = 50;

interface ImportView {
  status: 'running' | 'succeeded' | 'failed';
  counts: Record<string, number>;
  errorCount: number;
}

export interface RosterImportReport {
  results: BenchResult[];
  roster: { students: number; guardians: number; teachers: number; sections: number; zipBytes: number };
  firstRun: { seconds: number; counts: Record<string, number> };
  noOpRun: { seconds: number; counts: Record<string, number> };
  copyBaselineSeconds: number[];
}

export async function run(): Promise<RosterImportReport> {
  const generated = generateRoster({
    seed: 2026,
    schools: 20,
    sections: SECTIONS,
    students: STUDENTS,
    guardiansPerStudent: 1.5,
  });
  const users = expectedBulkSnapshot(generated.model).users;
  const database = await createMigratedScratchDatabase('homeroom_bench_roster');
  const processes: ChildProcess[] = [];
  try {
    const bundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('../workflows'),
      logger: quietLogger,
    });
    const bundlePath = join(mkdtempSync(join(tmpdir(), 'homeroom-bundle-')), 'workflows.js');
    writeFileSync(bundlePath, bundle.code);
    const port = await freePort();
    const env = {
      DATABASE_URL: database.url,
      TEMPORAL_TASK_QUEUE: `roster-bench-${randomUUID()}`,
      TEMPORAL_SCAN_TASK_QUEUE: `roster-bench-scan-${randomUUID()}`,
      API_HOST: '127.0.0.1',
      API_PORT: String(port),
      WORKFLOW_BUNDLE_PATH: bundlePath,
      LOG_LEVEL: 'warn',
    };
    const api = startNode('apps/api/src/main.js', env);
    const profileDir = process.env.BENCH_ROSTER_CPU_PROF_DIR;
    const worker = startNode(
      'apps/worker/src/main.js',
      { ...env, LOG_LEVEL: 'info' },
      profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
    );
    processes.push(api.child, worker.child);
    const baseUrl = `http://127.0.0.1:${port}`;
    await waitFor(
      'the API',
      async () => ((await fetch(`${baseUrl}/health/live`)).ok ? true : undefined),
      60_000,
    );
    await waitFor(
      'the worker',
      async () => (worker.output().includes('worker started') ? true : undefined),
      60_000,
    );

    const { districtId, token } = await districtWithAdmin(database.url);
    const first = await timedImport(baseUrl, token, generated.zip);
    const firstCopy = await copyBaseline(database.url, districtId, users);
    const noOp = await timedImport(baseUrl, token, generated.zip);
    const noOpCopy = await copyBaseline(database.url, districtId, users);
    const workerPeakRss = peakRssMiB(worker.child.pid);
    if (process.env.BENCH_ROSTER_WORKER_LOG)
      writeFileSync(process.env.BENCH_ROSTER_WORKER_LOG, worker.output());

    const count = (n: number) => n.toLocaleString('en-US');
    const baseline = (seconds: number) => ({
      name: `COPY of ${count(users.length)} user rows`,
      value: seconds,
      unit: 's',
    });
    const scale = `${count(STUDENTS)} students, ${count(generated.expected.users.guardian)} guardians, ${count(SECTIONS)} sections`;
    return {
      results: [
        {
          name: `roster import, first run (${scale})`,
          value: first.seconds,
          unit: 's',
          baseline: baseline(firstCopy),
        },
        { name: 'roster import, no-op re-run', value: noOp.seconds, unit: 's', baseline: baseline(noOpCopy) },
        { name: 'roster import, first run throughput', value: users.length / first.seconds, unit: 'users/s' },
        ...(workerPeakRss === null
          ? []
          : [{ name: 'roster import, worker peak RSS (both runs)', value: workerPeakRss, unit: 'MiB' }]),
      ],
      roster: {
        students: generated.expected.users.student,
        guardians: generated.expected.users.guardian,
        teachers: generated.expected.users.teacher,
        sections: generated.expected.sections,
        zipBytes: generated.zip.length,
      },
      firstRun: { seconds: first.seconds, counts: first.counts },
      noOpRun: { seconds: noOp.seconds, counts: noOp.counts },
      copyBaselineSeconds: [firstCopy, noOpCopy],
    };
  } finally {
    for (const child of processes) child.kill('SIGTERM');
    await Promise.all(processes.map((child) => new Promise((resolve) => child.once('exit', resolve))));
    await dropQuietly(database);
  }
}

/** Upload to `succeeded`, as an admin's client sees it. */
async function timedImport(baseUrl: string, token: string, zip: Uint8Array) {
  const started = performance.now();
  const form = new FormData();
  form.append('file', new Blob([Buffer.from(zip)], { type: 'application/zip' }), 'export.zip');
  const res = await fetch(`${baseUrl}/v1/admin/roster/imports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  const body = (await res.json()) as { importId?: string };
  if (res.status !== 202 || !body.importId)
    throw new Error(`upload answered ${res.status}: ${JSON.stringify(body)}`);
  let view: ImportView;
  for (;;) {
    const status = await fetch(`${baseUrl}/v1/admin/roster/imports/${body.importId}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    view = (await status.json()) as ImportView;
    if (view.status !== 'running') break;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const seconds = (performance.now() - started) / 1000;
  if (view.status !== 'succeeded')
    throw new Error(`the import ${view.status} with ${view.errorCount} errors`);
  return { seconds, counts: view.counts };
}

/** The same user rows, streamed with COPY into a fresh table like `users` (columns, defaults, indexes). */
async function copyBaseline(
  databaseUrl: string,
  districtId: string,
  users: readonly RosterUser[],
): Promise<number> {
  const client = new PgClient({ connectionString: databaseUrl });
  await client.connect();
  try {
    const table = `roster_copy_baseline_${randomUUID().replaceAll('-', '')}`;
    await client.query(`CREATE TABLE ${table} (LIKE users INCLUDING DEFAULTS INCLUDING INDEXES)`);
    const started = performance.now();
    const copy = client.query(
      copyFrom(
        `COPY ${table} (district_id, sourced_id, role, username, given_name, family_name, email, preferred_language, active) FROM STDIN`,
      ),
    );
    await pipeline(Readable.from(copyRows(districtId, users)), copy);
    const seconds = (performance.now() - started) / 1000;
    await client.query(`DROP TABLE ${table}`);
    return seconds;
  } finally {
    await client.end();
  }
}

function* copyRows(districtId: string, users: readonly RosterUser[]): Generator<string> {
  const cell = (value: string | null) =>
    value === null
      ? '\\N'
      : value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  const batch: string[] = [];
  for (const user of users) {
    batch.push(
      [
        districtId,
        user.sourcedId,
        user.role,
        user.username,
        user.givenName,
        user.familyName,
        user.email,
        user.preferredLanguage ?? 'en',
        user.active ? 't' : 'f',
      ]
        .map(cell)
        .join('\t'),
    );
    if (batch.length === 1_000) yield `${batch.splice(0).join('\n')}\n`;
  }
  if (batch.length > 0) yield `${batch.join('\n')}\n`;
}

/** A district and a signed-in district admin (a session written directly: the bench measures imports). */
async function districtWithAdmin(databaseUrl: string): Promise<{ districtId: string; token: string }> {
  const db = Database.open(databaseUrl, { poolSize: 2 });
  try {
    const { id: districtId } = await db.districts.create('Roster benchmark district');
    const tenant = db.forDistrict(districtId);
    const admin = await tenant.users.create({
      role: 'district_admin',
      username: 'bench-admin',
      givenName: 'Bench',
      familyName: 'Admin',
    });
    const token = randomToken();
    await tenant.sessions.create({
      userId: admin.id,
      tokenHash: hashToken(token),
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    return { districtId, token };
  } finally {
    await db.disconnect();
  }
}

/** The process's peak resident set so far (VmHWM), or null where /proc does not say. */
function peakRssMiB(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

function startNode(script: string, env: Record<string, string>, nodeArgs: string[] = []) {
  const child = spawn(process.execPath, [...nodeArgs, join(__dirname, '..', script)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  return { child, output: () => output };
}

async function dropQuietly(database: ScratchDatabase): Promise<void> {
  await database.drop().catch((error: unknown) => {
    process.stderr.write(`roster bench: could not drop ${database.name}: ${String(error)}\n`);
  });
}

if (require.main === module) {
  run().then(
    (report) => {
      for (const result of report.results) process.stdout.write(`${formatResult(result)}\n`);
    },
    (error: unknown) => {
      process.stderr.write(`roster bench: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    },
  );
}
