import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { type PoolClient } from 'pg';
import { type WorkerConfig } from '../../libs/config/config';
import { type FieldCipher } from '../../libs/crypto/envelope';
import { translationLockKey } from '../../libs/db/repositories/translation.repository';
import { createDataConverter } from '../../libs/adapters/temporal/data-converter';
import { type TranslationWorkflowResult, translationWorkflow } from '../../workflows/translation.workflow';
import { testWorkerConfig } from '../support/config';
import { createTestPool, rowsOf } from '../support/database';
import {
  createDistrict,
  createUser,
  openTestDatabase,
  type TestDatabase,
  type TestUser,
} from '../support/factories';
import { REPO_ROOT, waitFor } from '../support/processes';
import { STAND_IN_CREDENTIALS, TranslateStandIn } from '../support/translate-stand-in';
import {
  createDeliveredAnnouncement,
  createGuardians,
  testFieldCipher,
} from '../support/translation-fixtures';

const DIST = join(REPO_ROOT, 'dist');

/**
 * The compiled worker code in a process of its own (`npx tsc -p tsconfig.build.json` first), running
 * the translation workflow and activities on this file's task queue with the AWS adapter pointed at the
 * stand-in server. The stand-in lives in this process, so it counts provider calls across worker
 * restarts. Until the lead registers translation in apps/worker, this is the worker's composition for
 * translation alone.
 */
const WORKER_SCRIPT = `
const { Worker } = require('@temporalio/worker');
const { loadWorkerConfig } = require(${JSON.stringify(join(DIST, 'libs/config/config.js'))});
const { createWorkerComposition } = require(${JSON.stringify(join(DIST, 'apps/worker/src/composition.js'))});
const { createLogger } = require(${JSON.stringify(join(DIST, 'libs/logging/logger.js'))});
const { createDataConverter } = require(${JSON.stringify(join(DIST, 'libs/adapters/temporal/data-converter.js'))});
const { createTranslationActivities } = require(${JSON.stringify(join(DIST, 'activities/translation.activities.js'))});
(async () => {
  const config = loadWorkerConfig();
  const logger = createLogger({ name: 'translation-restart-test-worker', level: 'error' });
  const composition = await createWorkerComposition(config, logger, { poolSize: 4 });
  const worker = await Worker.create({
    connection: composition.connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    dataConverter: createDataConverter(config),
    workflowsPath: ${JSON.stringify(join(DIST, 'workflows/translation.workflow.js'))},
    activities: createTranslationActivities(composition),
    // A killed worker's sticky queue would hold the workflow's next task for the default 10 s.
    stickyQueueScheduleToStartTimeout: '1s',
  });
  process.stdout.write('translation worker ready\\n');
  await worker.run();
})().catch((error) => {
  process.stderr.write(String(error && error.stack || error) + '\\n');
  process.exit(1);
});
`;

interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  kill(): Promise<void>;
}

async function startWorker(env: Record<string, string>): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['-e', WORKER_SCRIPT], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (data: Buffer) => (output += data.toString()));
  child.stderr!.on('data', (data: Buffer) => (output += data.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor(
    'the translation worker to start',
    async () => {
      if (child.exitCode !== null) throw new Error(`worker exited: ${output}`);
      return output.includes('translation worker ready') ? true : undefined;
    },
    90_000,
  );
  return {
    child,
    output: () => output,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

describe('translation workflow when its worker is killed and restarted', () => {
  let config: WorkerConfig;
  let workerEnv: Record<string, string>;
  let standIn: TranslateStandIn;
  let database: TestDatabase;
  let cipher: FieldCipher;
  let connection: Connection;
  let client: Client;
  let districtId: string;
  let teacher: TestUser;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    if (!existsSync(join(DIST, 'workflows/translation.workflow.js'))) {
      throw new Error('dist/ has no translation workflow: run `npx tsc -p tsconfig.build.json` first');
    }
    standIn = await TranslateStandIn.start();
    workerEnv = {
      TEMPORAL_TASK_QUEUE: `translation-restart-test-${randomUUID()}`,
      HOMEROOM_ENV: 'test',
      TRANSLATION_PROVIDER: 'aws',
      AWS_TRANSLATE_REGION: 'us-east-1',
      AWS_TRANSLATE_ENDPOINT: standIn.endpoint,
      AWS_ACCESS_KEY_ID: STAND_IN_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: STAND_IN_CREDENTIALS.secretAccessKey,
      LOG_LEVEL: 'error',
    };
    config = testWorkerConfig(workerEnv);
    database = openTestDatabase();
    cipher = testFieldCipher(database.db, config);
    const dataConverter = createDataConverter(config);
    connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
    client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter });
    districtId = await createDistrict(database.db);
    teacher = await createUser(database.db, districtId, { role: 'teacher', preferredLanguage: 'en' });
  });

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.kill()));
    standIn.reset();
  });

  afterAll(async () => {
    await connection?.close();
    await database?.close();
    await standIn?.close();
  });

  async function announcementForEsViEn(): Promise<string> {
    const guardians = await createGuardians(database.db, districtId, ['es', 'vi', 'en']);
    return createDeliveredAnnouncement(database.db, cipher, {
      districtId,
      author: teacher,
      recipients: guardians,
      body: 'Parent-teacher conferences are next Thursday.',
      sourceLanguage: 'en',
    });
  }

  function startTranslation(announcementId: string) {
    return client.workflow.start(translationWorkflow, {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      workflowId: `translation-announcement-${announcementId}`,
      args: [
        {
          districtId,
          subjectKind: 'announcement',
          subjectId: announcementId,
          heartbeatTimeoutMs: 2_000,
          retry: { initialIntervalMs: 200, maximumIntervalMs: 1_000, maximumAttempts: 20 },
        },
      ],
    });
  }

  async function storedLanguages(announcementId: string): Promise<string[]> {
    const rows = await rowsOf(database.db).translation.findMany({
      where: { announcementId },
      select: { language: true },
      orderBy: { language: 'asc' },
    });
    return rows.map((row) => row.language);
  }

  function requestsFor(language: string): number {
    return standIn.targets().filter((target) => target === language).length;
  }

  it('when the worker is killed while a translation waits its turn, then after the restart there are still exactly two provider calls (es, vi)', async () => {
    const announcementId = await announcementForEsViEn();
    // Hold vi's translation lock, as a concurrent translator would: vi's activity waits before calling.
    const pool = createTestPool();
    const lockHolder: PoolClient = await pool.connect();
    try {
      await lockHolder.query('BEGIN');
      await lockHolder.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        translationLockKey(districtId, { kind: 'announcement', id: announcementId }, 'vi'),
      ]);
      workers.push(await startWorker(workerEnv));
      const handle = await startTranslation(announcementId);

      await waitFor('es stored and vi waiting for its lock', async () => {
        const waiting = await lockHolder.query<{ count: string }>(
          "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted",
        );
        const stored = await storedLanguages(announcementId);
        return stored.includes('es') && Number(waiting.rows[0]!.count) > 0 ? true : undefined;
      });
      await workers[0]!.kill();
      await lockHolder.query('COMMIT');
      workers.push(await startWorker(workerEnv));

      const result: TranslationWorkflowResult = await handle.result();

      expect(result).toMatchObject({ targetLanguages: 2, failed: 0 });
      expect(await storedLanguages(announcementId)).toEqual(['es', 'vi']);
      expect(standIn.targets().sort()).toEqual(['es', 'vi']);
      expect(standIn.requests.every((request) => request.signatureValid)).toBe(true);
    } finally {
      lockHolder.release();
      await pool.end();
    }
  }, 180_000);

  it('when the worker is killed while the provider is answering, then the only repeat is that one call (the documented crash window)', async () => {
    const announcementId = await announcementForEsViEn();
    // vi's first answer comes too late for the worker that asked: it is killed meanwhile.
    standIn.respondWith((request) =>
      request.body.TargetLanguageCode === 'vi' && requestsFor('vi') === 1
        ? {
            status: 200,
            body: { TranslatedText: 'too late', SourceLanguageCode: 'en', TargetLanguageCode: 'vi' },
            delayMs: 8_000,
          }
        : undefined,
    );
    workers.push(await startWorker(workerEnv));
    const handle = await startTranslation(announcementId);

    await waitFor('es stored and vi asked', async () =>
      (await storedLanguages(announcementId)).includes('es') && requestsFor('vi') === 1 ? true : undefined,
    );
    await workers[0]!.kill();
    workers.push(await startWorker(workerEnv));

    const result: TranslationWorkflowResult = await handle.result();

    expect(result).toMatchObject({ targetLanguages: 2, failed: 0 });
    expect(await storedLanguages(announcementId)).toEqual(['es', 'vi']);
    expect(requestsFor('es')).toBe(1);
    expect(requestsFor('vi')).toBe(2);
    expect(requestsFor('en')).toBe(0);
    const vi = await rowsOf(database.db).translation.findFirstOrThrow({
      where: { announcementId, language: 'vi' },
      select: { bodyCiphertext: true, dataKeyId: true },
    });
    const stored = await cipher.decrypt(
      vi.dataKeyId,
      vi.bodyCiphertext,
      `translation:announcement:${announcementId}:vi`,
    );
    expect(stored).toBe('«vi:Parent-teacher conferences are next Thursday.»');
  }, 180_000);
});
