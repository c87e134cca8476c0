import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { bundleWorkflowCode } from '@temporalio/worker';
import { Client as PgClient, Pool } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { freePort, waitFor } from '../test/support/processes';
import { createSectionFixture, type SectionFixture, signInAs } from '../test/support/roster-factory';
import { type BenchResult, peakRssMb, spawnNode } from './message-send.bench';
import { median, quietLogger, required, round, runStandalone } from './support';

/**
 * Announcement fan-out, end to end: POST to a section → every delivery row visible in PostgreSQL, for
 * sections of 100, 10,000 and 50,000 recipients (students and one guardian each), through the compiled
 * API and worker (`npm run build`) with the workflow bundle built once. Beside each, the baseline: a
 * raw PostgreSQL COPY of the same delivery rows into the same table, the fastest way to write them.
 * Also the API's and worker's peak resident memory.
 *
 * Run: `npm run bench fanout`, or in the test environment (`source scripts/test-env.sh`)
 * `npx tsc -p tsconfig.build.json && node dist/bench/fanout.bench.js`. Options by environment:
 * BENCH_FANOUT_SIZES (100,10000,50000), BENCH_FANOUT_RUNS (3). `run()` is what bench/run.ts calls.
 */

const SIZES = (process.env.BENCH_FANOUT_SIZES ?? '100,10000,50000').split(',').map(Number);
const RUNS = Number(process.env.BENCH_FANOUT_RUNS ?? 3);
const POLL_MS = 5;

export interface FanOutSizeResult {
  recipients: number;
  runs: number;
  postToAllVisibleMs: { min: number; median: number; max: number };
  postResponseMs: number;
  baselineCopyMs: { min: number; median: number; max: number };
  ratioToBaseline: number;
}

export interface FanOutReport {
  results: BenchResult[];
  sizes: FanOutSizeResult[];
  peakRssMb: { api: number | null; worker: number | null };
  target: { recipients: number; maxMs: number; met: boolean | null };
}

export async function run(): Promise<FanOutReport> {
  const taskQueue = `fanout-bench-${randomUUID()}`;
  const bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    logger: quietLogger,
  });
  const bundlePath = join(mkdtempSync(join(tmpdir(), 'homeroom-bundle-')), 'workflows.js');
  writeFileSync(bundlePath, bundle.code);
  const port = await freePort();
  const common = { TEMPORAL_TASK_QUEUE: taskQueue, TEMPORAL_SCAN_TASK_QUEUE: `${taskQueue}-scan` };
  const api = spawnNode(join(__dirname, '../apps/api/src/main.js'), [], {
    ...common,
    API_PORT: String(port),
    API_HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
  });
  const worker = spawnNode(join(__dirname, '../apps/worker/src/main.js'), [], {
    ...common,
    WORKFLOW_BUNDLE_PATH: bundlePath,
    LOG_LEVEL: 'info',
  });
  const pool = new Pool({ connectionString: required('DATABASE_URL'), max: 4 });
  const poller = new PgClient({ connectionString: required('DATABASE_URL') });
  await poller.connect();
  try {
    const baseUrl = `http://127.0.0.1:${port}`;
    await waitFor('the API', async () => ((await fetch(`${baseUrl}/health/live`)).ok ? true : undefined));
    await waitFor('the worker', async () => (worker.output().includes('worker started') ? true : undefined));
    const sizes: FanOutSizeResult[] = [];
    for (const recipients of SIZES) {
      const section = await createSectionFixture(pool, { students: Math.ceil(recipients / 2) });
      const token = await signInAs(pool, section.districtId, section.teachers[0]!.id);
      const expected = 2 * Math.ceil(recipients / 2);
      const visible: number[] = [];
      const responses: number[] = [];
      const copies: number[] = [];
      // One unmeasured run warms the worker's and PostgreSQL's caches for this section.
      await fanOut(baseUrl, token, section, poller, expected);
      for (let i = 0; i < RUNS; i++) {
        const timing = await fanOut(baseUrl, token, section, poller, expected);
        visible.push(timing.visibleMs);
        responses.push(timing.responseMs);
        copies.push(await copyBaseline(pool, section));
      }
      sizes.push({
        recipients: expected,
        runs: RUNS,
        postToAllVisibleMs: spread(visible),
        postResponseMs: round(median(responses)),
        baselineCopyMs: spread(copies),
        ratioToBaseline: round(median(visible) / median(copies)),
      });
    }
    const tenThousand = sizes.find((s) => s.recipients === 10_000);
    const rss = { api: peakRssMb(api.child.pid), worker: peakRssMb(worker.child.pid) };
    return {
      results: [
        ...sizes.map((size) => ({
          name: `fan-out of ${size.recipients} recipients, POST → all deliveries visible (median of ${size.runs})`,
          value: size.postToAllVisibleMs.median,
          unit: 'ms',
          baseline: { name: 'COPY of the same rows', value: size.baselineCopyMs.median, unit: 'ms' },
        })),
        { name: 'API peak RSS (fan-out run)', value: rss.api ?? Number.NaN, unit: 'MiB' },
        { name: 'worker peak RSS (fan-out run)', value: rss.worker ?? Number.NaN, unit: 'MiB' },
      ],
      sizes,
      peakRssMb: rss,
      target: {
        recipients: 10_000,
        maxMs: 1_500,
        met: tenThousand ? tenThousand.postToAllVisibleMs.median <= 1_500 : null,
      },
    };
  } finally {
    await poller.end();
    await pool.end();
    await worker.stop();
    await api.stop();
  }
}

/** POST, then count the announcement's deliveries until all are there. */
async function fanOut(
  baseUrl: string,
  token: string,
  section: SectionFixture,
  poller: PgClient,
  expected: number,
): Promise<{ visibleMs: number; responseMs: number }> {
  const started = performance.now();
  const res = await fetch(`${baseUrl}/v1/sections/${section.sectionId}/announcements`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ body: 'Picture day is moved to Thursday. Please wear your uniform.' }),
  });
  const responseMs = performance.now() - started;
  if (res.status !== 202) throw new Error(`POST answered ${res.status}: ${await res.text()}`);
  const { id } = (await res.json()) as { id: string };
  for (;;) {
    const count = await poller.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM deliveries WHERE announcement_id = $1',
      [id],
    );
    if (count.rows[0]!.n >= expected) return { visibleMs: performance.now() - started, responseMs };
    if (performance.now() - started > 120_000)
      throw new Error(`fan-out of ${expected} did not finish in 2 minutes`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** The same delivery rows written by one COPY into the same table, for a fresh announcement. */
async function copyBaseline(pool: Pool, section: SectionFixture): Promise<number> {
  const announcementId = randomUUID();
  const dataKey = await pool.query<{ id: string }>(
    'SELECT id FROM data_keys WHERE district_id = $1 LIMIT 1',
    [section.districtId],
  );
  await pool.query(
    `INSERT INTO announcements (id, district_id, section_id, author_id, body_ciphertext, data_key_id, source_language, status)
     VALUES ($1, $2, $3, $4, $5, $6, 'en', 'delivered')`,
    [
      announcementId,
      section.districtId,
      section.sectionId,
      section.teachers[0]!.id,
      randomBytes(80),
      dataKey.rows[0]!.id,
    ],
  );
  const recipients = [...section.students, ...section.guardians].map((u) => u.id).sort();
  const rows = recipients.map((id) => `${announcementId}\t${id}\t${section.districtId}\n`).join('');
  const client = await pool.connect();
  try {
    const started = performance.now();
    await pipeline(
      Readable.from([rows]),
      client.query(copyFrom('COPY deliveries (announcement_id, recipient_id, district_id) FROM STDIN')),
    );
    return performance.now() - started;
  } finally {
    client.release();
  }
}

function spread(values: number[]): { min: number; median: number; max: number } {
  return { min: round(Math.min(...values)), median: round(median(values)), max: round(Math.max(...values)) };
}

if (require.main === module) runStandalone('fanout', run);
