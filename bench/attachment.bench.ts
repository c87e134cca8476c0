import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bundleWorkflowCode } from '@temporalio/worker';
import { Client as PgClient, Pool } from 'pg';
import { freePort, waitFor } from '../test/support/processes';
import { createDistrict, createUsers, signInAs } from '../test/support/roster-factory';
import { peakRssMb, spawnNode } from './message-send.bench';
import { type BenchResult } from './run';
import { quietLogger, required, round, runStandalone } from './support';

/**
 * Attachment upload → released (status `clean` visible in PostgreSQL) through the compiled API and
 * worker, for clean 1 MiB and 10 MiB files, beside the baseline: a raw `clamdscan --stream` of a file
 * of the same size and shape against the same clamd, in the same run. Then 16 concurrent uploaders.
 *
 * Every run uses fresh random content, for the baseline too: clamd caches clean verdicts by content
 * hash, so scanning bytes it has seen before costs a fraction of a first scan and would flatter
 * whichever side came second. That warm figure (clamdscan of the very file just released) is reported
 * as well, as `warmRescanMs`.
 *
 * Run: `npx tsc -p tsconfig.build.json && node dist/bench/attachment.bench.js` in the test environment
 * (`source scripts/test-env.sh`, or `npm run bench`). Options by environment: BENCH_ATTACHMENT_SIZES_MB
 * (1,10), BENCH_ATTACHMENT_RUNS (20), BENCH_ATTACHMENT_CONCURRENCY (16), BENCH_ATTACHMENT_CONCURRENT_FILES
 * (64, of BENCH_ATTACHMENT_CONCURRENT_MB = 1 MiB each). The module also exports `run()` for a bench runner.
 */

const SIZES_MB = (process.env.BENCH_ATTACHMENT_SIZES_MB ?? '1,10').split(',').map(Number);
const RUNS = Number(process.env.BENCH_ATTACHMENT_RUNS ?? 20);
const CONCURRENCY = Number(process.env.BENCH_ATTACHMENT_CONCURRENCY ?? 16);
const CONCURRENT_FILES = Number(process.env.BENCH_ATTACHMENT_CONCURRENT_FILES ?? 64);
const CONCURRENT_MB = Number(process.env.BENCH_ATTACHMENT_CONCURRENT_MB ?? 1);
const POLL_MS = 5;
const MIB = 1024 * 1024;
const TARGET = { sizeMb: 10, maxP50Ms: 1_500, maxRatio: 2 };

const run$ = promisify(execFile);

export interface Percentiles {
  p50: number;
  p95: number;
  min: number;
  max: number;
}

export interface SizeResult {
  sizeMb: number;
  runs: number;
  uploadToReleasedMs: Percentiles;
  /** Time until the API answered 202 (stored encrypted, scan started). */
  uploadResponseMs: Percentiles;
  baselineClamdscanMs: Percentiles;
  warmRescanMs: Percentiles;
  ratioP50: number;
}

export interface ConcurrentResult {
  clients: number;
  files: number;
  fileMb: number;
  wallMs: number;
  filesPerSecond: number;
  mbPerSecond: number;
  baseline: { wallMs: number; filesPerSecond: number; mbPerSecond: number };
}

export interface AttachmentReport {
  /** The printed lines: each figure beside its baseline from the same run. */
  results: BenchResult[];
  sizes: SizeResult[];
  concurrent: ConcurrentResult;
  peakRssMb: { api: number | null; worker: number | null };
  target: {
    sizeMb: number;
    maxP50Ms: number;
    maxRatio: number;
    p50Ms: number | null;
    ratio: number | null;
    met: boolean | null;
  };
}

export async function run(): Promise<AttachmentReport> {
  const workDir = mkdtempSync(join(tmpdir(), 'homeroom-attachment-bench-'));
  const storageDir = join(workDir, 'blobs');
  const bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    logger: quietLogger,
  });
  const bundlePath = join(workDir, 'workflows.js');
  writeFileSync(bundlePath, bundle.code);
  const clamdConfig = join(workDir, 'clamd-client.conf');
  writeFileSync(
    clamdConfig,
    `TCPSocket ${process.env.CLAMD_PORT ?? '3311'}\nTCPAddr ${process.env.CLAMD_HOST ?? '127.0.0.1'}\n`,
  );
  const queue = `attachment-bench-${randomUUID()}`;
  const common = {
    TEMPORAL_TASK_QUEUE: queue,
    TEMPORAL_SCAN_TASK_QUEUE: `${queue}-scan`,
    STORAGE_DIR: storageDir,
    LOG_LEVEL: 'warn',
  };
  const port = await freePort();
  const api = spawnNode(join(__dirname, '../apps/api/src/main.js'), [], {
    ...common,
    API_PORT: String(port),
    API_HOST: '127.0.0.1',
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
    const { districtId, schoolId } = await createDistrict(pool);
    const [teacher] = await createUsers(pool, districtId, 'teacher', 1, schoolId);
    const token = await signInAs(pool, districtId, teacher!.id);
    const client: BenchClient = {
      baseUrl,
      token,
      releases: new ReleaseWatcher(poller),
      clamdConfig,
      workDir,
    };

    await uploadAndRelease(client, cleanPdf(MIB));
    const sizes: SizeResult[] = [];
    for (const sizeMb of SIZES_MB) sizes.push(await measureSize(client, sizeMb));
    const concurrent = await measureConcurrent(client);
    const target = sizes.find((s) => s.sizeMb === TARGET.sizeMb);
    const rss = { api: peakRssMb(api.child.pid), worker: peakRssMb(worker.child.pid) };
    return {
      results: [
        ...sizes.flatMap((size) =>
          (['p50', 'p95'] as const).map((percentile) => ({
            name: `clean ${size.sizeMb} MiB upload → released, ${percentile} of ${size.runs}`,
            value: size.uploadToReleasedMs[percentile],
            unit: 'ms',
            baseline: {
              name: 'clamdscan --stream of the same size',
              value: size.baselineClamdscanMs[percentile],
              unit: 'ms',
            },
          })),
        ),
        {
          name: `${concurrent.clients} concurrent uploaders, ${concurrent.files} files of ${concurrent.fileMb} MiB, upload → released`,
          value: concurrent.filesPerSecond,
          unit: 'files/s',
          baseline: {
            name: `${concurrent.clients} concurrent clamdscan --stream`,
            value: concurrent.baseline.filesPerSecond,
            unit: 'files/s',
          },
        },
        { name: 'API peak RSS (attachment run)', value: rss.api ?? Number.NaN, unit: 'MiB' },
        { name: 'worker peak RSS (attachment run)', value: rss.worker ?? Number.NaN, unit: 'MiB' },
      ],
      sizes,
      concurrent,
      peakRssMb: rss,
      target: {
        ...TARGET,
        p50Ms: target?.uploadToReleasedMs.p50 ?? null,
        ratio: target?.ratioP50 ?? null,
        met: target
          ? target.uploadToReleasedMs.p50 <= TARGET.maxP50Ms && target.ratioP50 <= TARGET.maxRatio
          : null,
      },
    };
  } finally {
    await Promise.all([api.stop(), worker.stop()]);
    await poller.end();
    await pool.end();
    rmSync(workDir, { recursive: true, force: true });
  }
}

interface BenchClient {
  baseUrl: string;
  token: string;
  releases: ReleaseWatcher;
  clamdConfig: string;
  workDir: string;
}

async function measureSize(client: BenchClient, sizeMb: number): Promise<SizeResult> {
  const released: number[] = [];
  const responses: number[] = [];
  const baseline: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const content = cleanPdf(sizeMb * MIB);
    const timing = await uploadAndRelease(client, content);
    released.push(timing.releasedMs);
    responses.push(timing.responseMs);
    const file = join(client.workDir, `run-${sizeMb}-${i}.pdf`);
    writeFileSync(file, content);
    warm.push(await clamdscan(client.clamdConfig, file));
    writeFileSync(file, cleanPdf(sizeMb * MIB));
    baseline.push(await clamdscan(client.clamdConfig, file));
    rmSync(file);
  }
  const result = {
    sizeMb,
    runs: RUNS,
    uploadToReleasedMs: percentiles(released),
    uploadResponseMs: percentiles(responses),
    baselineClamdscanMs: percentiles(baseline),
    warmRescanMs: percentiles(warm),
  };
  return { ...result, ratioP50: round(result.uploadToReleasedMs.p50 / result.baselineClamdscanMs.p50) };
}

async function measureConcurrent(client: BenchClient): Promise<ConcurrentResult> {
  const files = Array.from({ length: CONCURRENT_FILES }, () => cleanPdf(CONCURRENT_MB * MIB));
  const started = performance.now();
  await inParallel(files, CONCURRENCY, (content) => uploadAndRelease(client, content));
  const wallMs = performance.now() - started;

  const paths = files.map((_, i) => join(client.workDir, `concurrent-${i}.pdf`));
  paths.forEach((path) => writeFileSync(path, cleanPdf(CONCURRENT_MB * MIB)));
  const baselineStarted = performance.now();
  await inParallel(paths, CONCURRENCY, (path) => clamdscan(client.clamdConfig, path));
  const baselineMs = performance.now() - baselineStarted;
  paths.forEach((path) => rmSync(path));

  const rate = (ms: number) => ({
    wallMs: round(ms),
    filesPerSecond: round((CONCURRENT_FILES * 1_000) / ms),
    mbPerSecond: round((CONCURRENT_FILES * CONCURRENT_MB * 1_000) / ms),
  });
  return {
    clients: CONCURRENCY,
    files: CONCURRENT_FILES,
    fileMb: CONCURRENT_MB,
    ...rate(wallMs),
    baseline: rate(baselineMs),
  };
}

/** POSTs the file and waits until the attachment is clean; times from the first byte sent. */
async function uploadAndRelease(
  client: BenchClient,
  content: Buffer,
): Promise<{ responseMs: number; releasedMs: number }> {
  const form = new FormData();
  form.append('file', new Blob([content], { type: 'application/pdf' }), 'worksheet.pdf');
  const started = performance.now();
  const res = await fetch(`${client.baseUrl}/v1/attachments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${client.token}` },
    body: form,
  });
  const responseMs = performance.now() - started;
  const body = (await res.json()) as { id?: string };
  if (res.status !== 202 || !body.id)
    throw new Error(`upload answered ${res.status} ${JSON.stringify(body)}`);
  await client.releases.waitFor(body.id);
  return { responseMs: round(responseMs), releasedMs: round(performance.now() - started) };
}

/**
 * One poll loop for every upload in flight: a single query every POLL_MS, however many clients wait,
 * so polling does not load the database it measures.
 */
class ReleaseWatcher {
  private readonly waiting = new Map<string, { resolve: () => void; reject: (error: Error) => void }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly poller: PgClient) {}

  waitFor(id: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.timer ??= setTimeout(() => void this.poll(), POLL_MS);
    });
  }

  private async poll(): Promise<void> {
    const { rows } = await this.poller.query<{ id: string; status: string }>(
      'SELECT id, status FROM attachments WHERE id = ANY($1::uuid[])',
      [[...this.waiting.keys()]],
    );
    for (const row of rows) {
      const waiter = this.waiting.get(row.id);
      if (!waiter || row.status === 'scanning') continue;
      this.waiting.delete(row.id);
      if (row.status === 'clean') waiter.resolve();
      else waiter.reject(new Error(`attachment ${row.id} ended ${row.status}`));
    }
    this.timer = this.waiting.size > 0 ? setTimeout(() => void this.poll(), POLL_MS) : undefined;
  }
}

async function clamdscan(config: string, file: string): Promise<number> {
  const started = performance.now();
  const { stdout } = await run$('clamdscan', [`--config-file=${config}`, '--stream', '--no-summary', file]);
  if (!stdout.trim().endsWith(': OK')) throw new Error(`clamdscan did not find the file clean: ${stdout}`);
  return round(performance.now() - started);
}

/** A PDF-typed file of `bytes` random bytes: accepted by the sniffer, clean for clamd, never seen before. */
function cleanPdf(bytes: number): Buffer {
  const head = Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1');
  const tail = Buffer.from('\n%%EOF\n', 'latin1');
  return Buffer.concat([head, randomBytes(bytes - head.length - tail.length), tail]);
}

async function inParallel<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next;
        next += 1;
        results[index] = await work(items[index]!);
      }
    }),
  );
  return results;
}

function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
  return { p50: round(at(50)), p95: round(at(95)), min: round(sorted[0]!), max: round(sorted.at(-1)!) };
}

if (require.main === module) runStandalone('attachment', run);
