import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Pool } from 'pg';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { TemporalClientService } from '../../apps/api/src/temporal/temporal-client.service';
import { WORKFLOWS_PATH } from '../../apps/worker/src/worker.factory';
import { createPayloadCodec } from '../../libs/crypto/payload-codec';
import { translationLockKey } from '../../libs/db/repositories/translation.repository';
import { workflowIds } from '../../libs/adapters/temporal/workflow-safe/workflow-ids';
import { type TranslationWorkflowResult } from '../../workflows/translation.workflow';
import { testApiConfig } from '../support/config';
import { createTestPool } from '../support/database';
import { request, type RunningApi, startApi } from '../support/http';
import { type ManagedProcess, REPO_ROOT, spawnWorker, waitFor } from '../support/processes';
import { createSectionFixture, signInMany } from '../support/roster-factory';
import { collectPayloads, historyText } from '../support/temporal-history';
import {
  STAND_IN_CREDENTIALS,
  type Responder,
  standInTranslation,
  TranslateStandIn,
} from '../support/translate-stand-in';

/**
 * Issue 6 end to end: a teacher posts through HTTP (the API in-process), the COMPILED worker
 * (`npm run build` first) fans out and translates with the real AWS adapter and SDK, and only AWS is
 * replaced — by a local server speaking TranslateText over AWS JSON 1.1 that checks every SigV4
 * signature and counts calls. Guardians of the section prefer es, vi and en.
 *
 * Provider calls per announcement, as translateOnce documents them:
 * - no kill, or a kill while no call is in flight: exactly 2 (es, vi);
 * - a kill while a call is in flight (sent, its answer not yet stored): exactly 3 — that one language
 *   is asked once more by the next worker, the documented crash window. Never more.
 */

interface AnnouncementView {
  id: string;
  body: string;
  translation?: { language: string; body: string; provider: string };
}

interface Reader {
  token: string;
  language: string;
}

interface PostedAnnouncement {
  id: string;
  workflowId: string;
  text: string;
  readers: Reader[];
}

const AWS_PROVIDER_NAME = 'aws-translate';
/** How long the stand-in holds a slow answer: long enough to kill the worker while it waits. */
const SLOW_ANSWER_MS = 2_500;

jest.setTimeout(60_000);

describe('announcement translation through HTTP and the compiled worker (AWS Translate stand-in: local TranslateText server)', () => {
  const taskQueue = `translation-e2e-${randomUUID()}`;
  const queues = { TEMPORAL_TASK_QUEUE: taskQueue, TEMPORAL_SCAN_TASK_QUEUE: `${taskQueue}-scan` };
  let standIn: TranslateStandIn;
  let api: RunningApi;
  let pool: Pool;
  let temporal: Client;
  let workerEnv: Record<string, string>;
  let worker: ManagedProcess | undefined;

  async function startWorker(): Promise<ManagedProcess> {
    const started = spawnWorker(workerEnv);
    await waitFor('the compiled worker', async () => {
      if (started.child.exitCode !== null) throw new Error(`worker exited: ${started.output()}`);
      return started.output().includes('worker started') ? true : undefined;
    });
    return started;
  }

  /**
   * A section of four students whose guardians prefer es, vi, en and es, and the teacher's post to it.
   * Two Spanish readers, so "once per language" differs from "once per reader".
   */
  async function postToEsViEnSection(): Promise<PostedAnnouncement> {
    const section = await createSectionFixture(pool, { students: 4 });
    const languages = ['es', 'vi', 'en', 'es'];
    await pool.query(
      `UPDATE users SET preferred_language = t.language
       FROM unnest($1::uuid[], $2::text[]) AS t(id, language) WHERE users.id = t.id`,
      [section.guardians.map((g) => g.id), languages],
    );
    const people = [section.teachers[0]!, ...section.guardians, section.students[0]!];
    const [teacherToken, ...tokens] = await signInMany(
      pool,
      section.districtId,
      people.map((u) => u.id),
    );
    // Tokens follow `people` after the teacher: the four guardians, then a student, who reads English.
    const readers: Reader[] = [...languages, 'en'].map((language, i) => ({ token: tokens[i]!, language }));
    const text = `Field trip to the science museum on Friday ${randomUUID()}. Bring a packed lunch.`;
    const posted = await request<{ id: string; workflowId: string }>(
      api.baseUrl,
      'POST',
      `/v1/sections/${section.sectionId}/announcements`,
      { token: teacherToken, json: { body: text } },
    );
    expect(posted.status).toBe(202);
    return { ...posted.body, text, readers };
  }

  async function translationResult(announcementId: string): Promise<TranslationWorkflowResult> {
    const handle = temporal.workflow.getHandle(workflowIds.translation('announcement', announcementId));
    await waitFor('the fan-out to start the translation', async () => {
      try {
        return await handle.describe();
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return undefined;
        throw error;
      }
    });
    return (await handle.result()) as TranslationWorkflowResult;
  }

  async function storedLanguages(announcementId: string): Promise<string[]> {
    const rows = await pool.query<{ language: string }>(
      'SELECT language FROM translations WHERE announcement_id = $1 ORDER BY language',
      [announcementId],
    );
    return rows.rows.map((row) => row.language);
  }

  const callsFor = (language: string) => standIn.targets().filter((target) => target === language).length;

  /** Every answer for `language` held SLOW_ANSWER_MS; other languages answered at once. */
  const slowFor =
    (language: string): Responder =>
    (req) =>
      req.body.TargetLanguageCode === language
        ? {
            status: 200,
            delayMs: SLOW_ANSWER_MS,
            body: {
              TranslatedText: standInTranslation(req.body.Text, language),
              SourceLanguageCode: 'en',
              TargetLanguageCode: language,
            },
          }
        : undefined;

  /** What each reader is shown, alone and in their list: the original, and their language's translation if any. */
  async function expectEachReaderSeesTheirLanguage(announcement: PostedAnnouncement): Promise<void> {
    for (const reader of announcement.readers) {
      const expected =
        reader.language === 'en'
          ? undefined
          : {
              language: reader.language,
              body: standInTranslation(announcement.text, reader.language),
              provider: AWS_PROVIDER_NAME,
            };
      const single = await request<AnnouncementView>(
        api.baseUrl,
        'GET',
        `/v1/announcements/${announcement.id}`,
        { token: reader.token },
      );
      const list = await request<{ items: AnnouncementView[] }>(api.baseUrl, 'GET', '/v1/announcements', {
        token: reader.token,
      });
      const listed = list.body.items.find((item) => item.id === announcement.id);
      for (const view of [single.body, listed]) {
        expect(view?.body).toBe(announcement.text);
        expect(view?.translation).toEqual(expected);
      }
    }
  }

  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, 'dist/apps/worker/src/main.js'))) {
      throw new Error('dist/ has no worker: run `npm run build` first');
    }
    // One bundle for every worker this file starts, so each restart takes a second, not ten.
    const bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
    const bundlePath = join(mkdtempSync(join(tmpdir(), 'homeroom-bundle-')), 'workflows.js');
    writeFileSync(bundlePath, bundle.code);
    standIn = await TranslateStandIn.start();
    workerEnv = {
      ...queues,
      WORKFLOW_BUNDLE_PATH: bundlePath,
      TRANSLATION_PROVIDER: 'aws',
      AWS_TRANSLATE_REGION: 'us-east-1',
      AWS_TRANSLATE_ENDPOINT: standIn.endpoint,
      AWS_ACCESS_KEY_ID: STAND_IN_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: STAND_IN_CREDENTIALS.secretAccessKey,
      LOG_LEVEL: 'info',
    };
    pool = createTestPool();
    api = await startApi(testApiConfig(queues));
    temporal = api.app.get(TemporalClientService).client;
    worker = await startWorker();
  }, 120_000);

  afterEach(() => standIn.reset());

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await api?.close();
    await pool?.end();
    await standIn?.close();
  });

  it('when guardians prefer es, vi and en, then exactly two signed TranslateText calls (es, vi) reach AWS and each guardian reads their own language beside the original', async () => {
    const announcement = await postToEsViEnSection();

    const result = await translationResult(announcement.id);

    expect(result).toEqual({
      targetLanguages: 2,
      translated: 2,
      alreadyTranslated: 0,
      failed: 0,
      unsupportedLanguages: 0,
    });
    expect(standIn.targets().sort()).toEqual(['es', 'vi']);
    for (const call of standIn.requests) {
      expect(call.signatureValid).toBe(true);
      expect(call.headers['x-amz-target']).toBe('AWSShineFrontendService_20170701.TranslateText');
      expect(call.headers.authorization).toContain('/us-east-1/translate/aws4_request');
      expect(call.body).toMatchObject({ Text: announcement.text, SourceLanguageCode: 'en' });
    }
    await expectEachReaderSeesTheirLanguage(announcement);
    expect(worker!.output()).not.toContain(announcement.text);
  });

  it('when translated, then the translations table holds no plaintext and neither the fan-out nor the translation history holds the original or translated text, raw or decoded', async () => {
    const announcement = await postToEsViEnSection();
    await translationResult(announcement.id);
    const secrets = [
      announcement.text,
      standInTranslation(announcement.text, 'es'),
      standInTranslation(announcement.text, 'vi'),
    ];

    const rows = await pool.query<{ provider: string; row: string; ciphertext: Buffer }>(
      `SELECT provider, row_to_json(t)::text AS row, body_ciphertext AS ciphertext
       FROM translations t WHERE announcement_id = $1`,
      [announcement.id],
    );
    expect(rows.rows.map((r) => r.provider)).toEqual([AWS_PROVIDER_NAME, AWS_PROVIDER_NAME]);
    for (const { row, ciphertext } of rows.rows) {
      for (const secret of secrets) {
        expect(row).not.toContain(secret);
        expect(ciphertext.includes(Buffer.from(secret, 'utf8'))).toBe(false);
      }
    }

    const config = testApiConfig();
    const codec = createPayloadCodec({
      keyId: config.PAYLOAD_CODEC_KEY_ID,
      key: config.PAYLOAD_CODEC_KEY,
      previousKeys: config.PAYLOAD_CODEC_PREVIOUS_KEYS,
    });
    for (const workflowId of [
      announcement.workflowId,
      workflowIds.translation('announcement', announcement.id),
    ]) {
      const { history } = await temporal.workflowService.getWorkflowExecutionHistory({
        namespace: temporal.options.namespace,
        execution: { workflowId },
      });
      const events = history?.events ?? [];
      const decoded = (await codec.decode(collectPayloads(events)))
        .map((payload) => Buffer.from(payload.data ?? new Uint8Array()).toString('utf8'))
        .join('\n');
      // Decoding really happened: the plain payloads name the announcement by id.
      expect(decoded).toContain(announcement.id);
      for (const haystack of [historyText(events), decoded]) {
        for (const secret of secrets) expect(haystack).not.toContain(secret);
      }
    }
  });

  it('when the worker is SIGKILLed while vi waits for its turn (es stored, no call in flight) and a new worker takes over, then still exactly two calls (es, vi)', async () => {
    // The announcement's id is known only once posted, and vi's lock must be held before the worker
    // reaches it: post with no worker running, take the lock, then start one.
    await worker!.stop('SIGKILL');
    const announcement = await postToEsViEnSection();
    const districtId = (
      await pool.query<{ district_id: string }>('SELECT district_id FROM announcements WHERE id = $1', [
        announcement.id,
      ])
    ).rows[0]!.district_id;
    const lockHolder = await pool.connect();
    try {
      await lockHolder.query('BEGIN');
      const holderPid = (await lockHolder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!
        .pid;
      // As a concurrent translator of vi would: the worker's vi translation waits before calling AWS.
      await lockHolder.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        translationLockKey(districtId, { kind: 'announcement', id: announcement.id }, 'vi'),
      ]);
      worker = await startWorker();
      await waitFor('es stored while vi waits for its lock', async () => {
        const blocked = await pool.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))',
          [holderPid],
        );
        const stored = await storedLanguages(announcement.id);
        return stored.includes('es') && blocked.rows[0]!.n > 0 ? true : undefined;
      });
      expect(standIn.targets()).toEqual(['es']);

      await worker.stop('SIGKILL');
      await lockHolder.query('COMMIT');
      worker = await startWorker();
      const result = await translationResult(announcement.id);

      expect(result).toMatchObject({ targetLanguages: 2, failed: 0 });
      expect(standIn.targets().sort()).toEqual(['es', 'vi']);
      expect(await storedLanguages(announcement.id)).toEqual(['es', 'vi']);
      await expectEachReaderSeesTheirLanguage(announcement);
    } finally {
      lockHolder.release();
    }
  });

  it('when the worker is SIGKILLed while AWS is answering vi (es stored) and a new worker takes over, then exactly three calls: vi once more, the documented crash window, es once', async () => {
    // AWS answers es at once and holds every vi answer, so the kill finds exactly one call in flight.
    standIn.respondWith(slowFor('vi'));
    const announcement = await postToEsViEnSection();
    await waitFor('es stored and vi asked', async () =>
      (await storedLanguages(announcement.id)).includes('es') && callsFor('vi') === 1 ? true : undefined,
    );

    await worker!.stop('SIGKILL');
    expect(await storedLanguages(announcement.id)).toEqual(['es']);
    worker = await startWorker();
    const result = await translationResult(announcement.id);

    expect(result).toMatchObject({ targetLanguages: 2, failed: 0 });
    expect(callsFor('es')).toBe(1);
    expect(callsFor('vi')).toBe(2);
    expect(standIn.requests).toHaveLength(3);
    expect(standIn.requests.every((call) => call.signatureValid)).toBe(true);
    expect(await storedLanguages(announcement.id)).toEqual(['es', 'vi']);
    await expectEachReaderSeesTheirLanguage(announcement);
  });
});

const quiet = () => undefined;
const quietLogger = { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: quiet };
