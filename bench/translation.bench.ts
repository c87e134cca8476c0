import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { Client as PgClient, Pool } from 'pg';
import { freePort, waitFor } from '../test/support/processes';
import { createSectionFixture, type SectionFixture, signInMany } from '../test/support/roster-factory';
import {
  STAND_IN_CREDENTIALS,
  standInTranslation,
  TranslateStandIn,
} from '../test/support/translate-stand-in';
import { spawnNode } from './message-send.bench';
import { type BenchResult } from './run';
import { median, quietLogger, required, round, runStandalone } from './support';

const roundedMedian = (values: number[]) => round(median(values));

/**
 * What translation costs an announcement, through the compiled API and worker (`npm run build`) with
 * the real AWS adapter and SDK talking to the local TranslateText stand-in
 * (test/support/translate-stand-in.ts), which answers every call after BENCH_PROVIDER_LATENCY_MS like
 * a TranslateText round trip. Guardians of one section prefer languages in the mix of a US district
 * with many Spanish-speaking families; students read English. Figures, each beside its baseline:
 *
 * - provider calls per announcement, beside one call per reader of another language (what translating
 *   per recipient would cost);
 * - POST → all deliveries visible with translation on (the language mix), beside translation off (the
 *   same section with every reader English), runs alternating in the same process: the added delivery
 *   latency;
 * - POST → every translation stored, beside POST → all deliveries visible of the same posts;
 * - a guardian's GET of the announcement with their translation, beside an English reader's GET;
 * - a message send to a reader of another language (it commits the translation's workflow-outbox row
 *   with the message and answers; the worker's drainer starts the workflow), beside a send to a reader
 *   of the sender's language: back to back, while the worker translates the previous messages, and
 *   paced a second apart;
 * - a message send → its translation stored (paced), beside one provider answer: what the outbox's
 *   drain and the workflow add to the translation's wait.
 *
 * Run: `npm run bench translation`, or in the test environment (`source scripts/test-env.sh`)
 * `npx tsc -p tsconfig.build.json && node dist/bench/translation.bench.js`. Options by environment:
 * BENCH_TRANSLATION_STUDENTS (500: 1,000 recipients), BENCH_TRANSLATION_RUNS (7),
 * BENCH_PROVIDER_LATENCY_MS (150). `run()` is what bench/run.ts calls.
 */

const STUDENTS = Number(process.env.BENCH_TRANSLATION_STUDENTS ?? 500);
const RUNS = Number(process.env.BENCH_TRANSLATION_RUNS ?? 7);
const PROVIDER_LATENCY_MS = Number(process.env.BENCH_PROVIDER_LATENCY_MS ?? 150);
const READS = 50;
const SENDS = 30;
const PACED_SENDS = 10;
/** Long enough for the previous message's translation workflow to have finished. */
const PACE_MS = 1_000;
const POLL_MS = 5;
const SOURCE_LANGUAGE = 'en';

/** Guardians' preferred languages, roughly as in a US district with many Spanish-speaking families. */
const LANGUAGE_MIX: [string, number][] = [
  ['en', 0.62],
  ['es', 0.24],
  ['vi', 0.06],
  ['zh', 0.04],
  ['ar', 0.02],
  ['so', 0.02],
];

interface PostTiming {
  announcementId: string;
  deliveriesVisibleMs: number;
  translationsStoredMs: number | null;
  providerCalls: number;
}

export interface TranslationReport {
  results: BenchResult[];
  recipients: number;
  readersOfOtherLanguages: number;
  targetLanguages: string[];
  providerLatencyMs: number;
  runs: number;
  translationOn: PostTiming[];
  translationOff: PostTiming[];
}

export async function run(): Promise<TranslationReport> {
  const taskQueue = `translation-bench-${randomUUID()}`;
  const queues = { TEMPORAL_TASK_QUEUE: taskQueue, TEMPORAL_SCAN_TASK_QUEUE: `${taskQueue}-scan` };
  const bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    logger: quietLogger,
  });
  const bundlePath = join(mkdtempSync(join(tmpdir(), 'homeroom-bundle-')), 'workflows.js');
  writeFileSync(bundlePath, bundle.code);
  const standIn = await TranslateStandIn.start();
  standIn.respondWith((request) => ({
    status: 200,
    delayMs: PROVIDER_LATENCY_MS,
    body: {
      TranslatedText: standInTranslation(request.body.Text, request.body.TargetLanguageCode),
      SourceLanguageCode: request.body.SourceLanguageCode,
      TargetLanguageCode: request.body.TargetLanguageCode,
    },
  }));
  const port = await freePort();
  const api = spawnNode(join(__dirname, '../apps/api/src/main.js'), [], {
    ...queues,
    API_PORT: String(port),
    API_HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
  });
  const worker = spawnNode(join(__dirname, '../apps/worker/src/main.js'), [], {
    ...queues,
    WORKFLOW_BUNDLE_PATH: bundlePath,
    TRANSLATION_PROVIDER: 'aws',
    AWS_TRANSLATE_REGION: 'us-east-1',
    AWS_TRANSLATE_ENDPOINT: standIn.endpoint,
    AWS_ACCESS_KEY_ID: STAND_IN_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: STAND_IN_CREDENTIALS.secretAccessKey,
    LOG_LEVEL: 'info',
  });
  const pool = new Pool({ connectionString: required('DATABASE_URL'), max: 4 });
  const poller = new PgClient({ connectionString: required('DATABASE_URL') });
  await poller.connect();
  try {
    const baseUrl = `http://127.0.0.1:${port}`;
    await waitFor('the API', async () => ((await fetch(`${baseUrl}/health/live`)).ok ? true : undefined));
    await waitFor('the worker', async () => (worker.output().includes('worker started') ? true : undefined));

    const section = await createSectionFixture(pool, { students: STUDENTS });
    const languages = guardianLanguages(section.guardians.length);
    const targetLanguages = [...new Set(languages)].filter((l) => l !== SOURCE_LANGUAGE).sort();
    const readersOfOtherLanguages = languages.filter((l) => l !== SOURCE_LANGUAGE).length;
    const recipients = section.students.length + section.guardians.length;
    const spanishGuardian = section.guardians[languages.indexOf('es')]!;
    const englishGuardian = section.guardians[languages.indexOf(SOURCE_LANGUAGE)]!;
    const [teacherToken, spanishToken, englishToken] = await signInMany(pool, section.districtId, [
      section.teachers[0]!.id,
      spanishGuardian.id,
      englishGuardian.id,
    ]);
    const setLanguages = (on: boolean) =>
      pool.query(
        `UPDATE users SET preferred_language = t.language
         FROM unnest($1::uuid[], $2::text[]) AS t(id, language) WHERE users.id = t.id`,
        [section.guardians.map((g) => g.id), on ? languages : languages.map(() => SOURCE_LANGUAGE)],
      );
    const post = async (on: boolean): Promise<PostTiming> => {
      await setLanguages(on);
      return postAndWait(
        { baseUrl, token: teacherToken!, section, poller, standIn },
        { recipients, languages: on ? targetLanguages.length : 0 },
      );
    };

    // One unmeasured post each way warms the API, the worker, the adapter and PostgreSQL's caches.
    await post(true);
    await post(false);
    const on: PostTiming[] = [];
    const off: PostTiming[] = [];
    for (let i = 0; i < RUNS; i++) {
      // Alternate which goes first, so neither always runs right after the other's background work.
      for (const translate of i % 2 === 0 ? [true, false] : [false, true]) {
        (translate ? on : off).push(await post(translate));
      }
    }

    await setLanguages(true);
    const lastOn = on[on.length - 1]!.announcementId;
    const readTranslated = await timeRequests(READS, () =>
      call(baseUrl, spanishToken!, 'GET', `/v1/announcements/${lastOn}`),
    );
    const readOriginal = await timeRequests(READS, () =>
      call(baseUrl, englishToken!, 'GET', `/v1/announcements/${lastOn}`),
    );
    const sends = async (participantId: string, pauseMs: number, times: number) =>
      roundedMedian(await timeMessageSends(baseUrl, teacherToken!, participantId, { times, pauseMs }));
    const burstToSpanish = await sends(spanishGuardian.id, 0, SENDS);
    const burstToEnglish = await sends(englishGuardian.id, 0, SENDS);
    const pacedToSpanish = await sends(spanishGuardian.id, PACE_MS, PACED_SENDS);
    const pacedToEnglish = await sends(englishGuardian.id, PACE_MS, PACED_SENDS);
    const sendToStored = roundedMedian(
      await timeSendsToTranslation(baseUrl, teacherToken!, spanishGuardian.id, poller, PACED_SENDS),
    );

    const calls = on.map((t) => t.providerCalls);
    const visibleOn = roundedMedian(on.map((t) => t.deliveriesVisibleMs));
    const visibleOff = roundedMedian(off.map((t) => t.deliveriesVisibleMs));
    const stored = roundedMedian(on.map((t) => t.translationsStoredMs!));
    return {
      results: [
        {
          name: `provider calls per announcement (${recipients} recipients, ${targetLanguages.length} languages besides English; max of ${RUNS}: ${Math.max(...calls)})`,
          value: roundedMedian(calls),
          unit: 'calls',
          baseline: {
            name: 'one call per reader of another language',
            value: readersOfOtherLanguages,
            unit: 'calls',
          },
        },
        {
          name: `POST → all ${recipients} deliveries visible, translation on (median of ${RUNS})`,
          value: visibleOn,
          unit: 'ms',
          baseline: { name: 'translation off, every reader English', value: visibleOff, unit: 'ms' },
        },
        {
          name: 'added delivery latency (median on − median off)',
          value: visibleOn - visibleOff,
          unit: 'ms',
        },
        {
          name: `POST → all ${targetLanguages.length} translations stored (provider answers in ${PROVIDER_LATENCY_MS} ms, median of ${RUNS})`,
          value: stored,
          unit: 'ms',
          baseline: { name: 'POST → all deliveries visible, same posts', value: visibleOn, unit: 'ms' },
        },
        {
          name: `guardian's GET /v1/announcements/{id} with a translation (median of ${READS})`,
          value: roundedMedian(readTranslated),
          unit: 'ms',
          baseline: { name: "an English reader's GET", value: roundedMedian(readOriginal), unit: 'ms' },
        },
        {
          name: `message send to a reader of another language, queuing its translation, back to back (median of ${SENDS})`,
          value: burstToSpanish,
          unit: 'ms',
          baseline: { name: 'to a reader of the same language', value: burstToEnglish, unit: 'ms' },
        },
        {
          name: `the same, ${PACE_MS} ms apart (median of ${PACED_SENDS})`,
          value: pacedToSpanish,
          unit: 'ms',
          baseline: { name: 'to a reader of the same language', value: pacedToEnglish, unit: 'ms' },
        },
        {
          name: `message send → its translation stored, through the workflow outbox (median of ${PACED_SENDS}, ${PACE_MS} ms apart)`,
          value: sendToStored,
          unit: 'ms',
          baseline: { name: 'one provider answer', value: PROVIDER_LATENCY_MS, unit: 'ms' },
        },
      ],
      recipients,
      readersOfOtherLanguages,
      targetLanguages,
      providerLatencyMs: PROVIDER_LATENCY_MS,
      runs: RUNS,
      translationOn: on,
      translationOff: off,
    };
  } finally {
    await poller.end();
    await pool.end();
    await worker.stop();
    await api.stop();
    await standIn.close();
  }
}

/** The mix's languages over `count` guardians, in shares rounded down and the rest English. */
function guardianLanguages(count: number): string[] {
  const languages = LANGUAGE_MIX.filter(([language]) => language !== SOURCE_LANGUAGE).flatMap(
    ([language, share]) => Array.from({ length: Math.max(1, Math.floor(share * count)) }, () => language),
  );
  return [...languages, ...Array.from({ length: count - languages.length }, () => SOURCE_LANGUAGE)];
}

interface PostContext {
  baseUrl: string;
  token: string;
  section: SectionFixture;
  poller: PgClient;
  standIn: TranslateStandIn;
}

/**
 * POST, then poll until every delivery exists and, when translating, every language is stored; the
 * provider calls are those the stand-in received for this post's (unique) text.
 */
async function postAndWait(
  context: PostContext,
  expected: { recipients: number; languages: number },
): Promise<PostTiming> {
  const text = `The school closes at noon on Wednesday for teacher training (${randomUUID()}). Buses leave at 12:15.`;
  const started = performance.now();
  const res = await call(
    context.baseUrl,
    context.token,
    'POST',
    `/v1/sections/${context.section.sectionId}/announcements`,
    {
      body: text,
    },
  );
  if (res.status !== 202) throw new Error(`POST answered ${res.status}: ${await res.text()}`);
  const { id } = (await res.json()) as { id: string };
  let deliveriesVisibleMs: number | null = null;
  let translationsStoredMs: number | null = null;
  for (;;) {
    const elapsed = performance.now() - started;
    if (
      deliveriesVisibleMs === null &&
      (await count(context.poller, 'deliveries', id)) >= expected.recipients
    ) {
      deliveriesVisibleMs = performance.now() - started;
    }
    if (
      expected.languages > 0 &&
      translationsStoredMs === null &&
      (await count(context.poller, 'translations', id)) >= expected.languages
    ) {
      translationsStoredMs = performance.now() - started;
    }
    if (deliveriesVisibleMs !== null && (expected.languages === 0 || translationsStoredMs !== null)) break;
    if (elapsed > 120_000)
      throw new Error(`announcement ${id} was not delivered and translated in 2 minutes`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return {
    announcementId: id,
    deliveriesVisibleMs: round(deliveriesVisibleMs),
    translationsStoredMs: translationsStoredMs === null ? null : round(translationsStoredMs),
    providerCalls: context.standIn.requests.filter((request) => request.body.Text === text).length,
  };
}

async function count(poller: PgClient, table: 'deliveries' | 'translations', announcementId: string) {
  const result = await poller.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${table} WHERE announcement_id = $1`,
    [announcementId],
  );
  return result.rows[0]!.n;
}

async function timeMessageSends(
  baseUrl: string,
  token: string,
  participantId: string,
  pacing: { times: number; pauseMs: number },
): Promise<number[]> {
  const conversation = await call(baseUrl, token, 'POST', '/v1/conversations', { participantId });
  if (!conversation.ok) throw new Error(`conversation answered ${conversation.status}`);
  const { id } = (await conversation.json()) as { id: string };
  return timeRequests(
    pacing.times,
    () =>
      call(baseUrl, token, 'POST', `/v1/conversations/${id}/messages`, {
        body: 'Could we meet on Tuesday after school about the reading plan?',
      }),
    pacing.pauseMs,
  );
}

/**
 * Sends to a reader of another language, `PACE_MS` apart, each timed from the request until its
 * translation is stored: the answer, the outbox lag, the workflow and the provider.
 */
async function timeSendsToTranslation(
  baseUrl: string,
  token: string,
  participantId: string,
  poller: PgClient,
  times: number,
): Promise<number[]> {
  const conversation = await call(baseUrl, token, 'POST', '/v1/conversations', { participantId });
  if (!conversation.ok) throw new Error(`conversation answered ${conversation.status}`);
  const { id } = (await conversation.json()) as { id: string };
  const durations: number[] = [];
  for (let i = 0; i < times; i++) {
    await new Promise((resolve) => setTimeout(resolve, PACE_MS));
    const started = performance.now();
    const res = await call(baseUrl, token, 'POST', `/v1/conversations/${id}/messages`, {
      body: `Could we meet on Tuesday after school about the reading plan? (${i + 1})`,
    });
    if (!res.ok) throw new Error(`request answered ${res.status}`);
    const { id: messageId } = (await res.json()) as { id: string };
    for (;;) {
      const stored = await poller.query('SELECT 1 FROM translations WHERE message_id = $1', [messageId]);
      if (stored.rowCount) break;
      if (performance.now() - started > 30_000) throw new Error('a message translation took over 30 s');
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    durations.push(performance.now() - started);
  }
  return durations;
}

/** Sequential requests, `pauseMs` before each; each duration until the whole answer is read. */
async function timeRequests(times: number, send: () => Promise<Response>, pauseMs = 0): Promise<number[]> {
  const durations: number[] = [];
  for (let i = 0; i < times; i++) {
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    const started = performance.now();
    const res = await send();
    await res.arrayBuffer();
    durations.push(performance.now() - started);
    if (!res.ok) throw new Error(`request answered ${res.status}`);
  }
  return durations;
}

function call(baseUrl: string, token: string, method: string, path: string, json?: unknown) {
  return fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(json === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
}

if (require.main === module) runStandalone('translation', run);
