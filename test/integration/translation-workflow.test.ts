import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { type temporal } from '@temporalio/proto';
import { createTranslationActivities } from '../../activities/translation.activities';
import { type WorkerConfig } from '../../libs/config/config';
import { type FieldCipher } from '../../libs/crypto/envelope';
import { createLogger } from '../../libs/logging/logger';
import { createDataConverter } from '../../libs/adapters/temporal/data-converter';
import { WorkflowGateway } from '../../libs/adapters/temporal/workflow-gateway';
import { LocalPseudoTranslationProvider } from '../../libs/adapters/translate/local-pseudo.provider';
import {
  type TranslationError,
  TranslationThrottledError,
  UnsupportedLanguagePairError,
} from '../../libs/domain/translation/translation-errors';
import {
  type TranslateOptions,
  type TranslationProvider,
} from '../../libs/adapters/translate/translation-provider';
import { TranslationReader } from '../../libs/translation/translation-reader';
import { translationWorkflow, type TranslationWorkflowResult } from '../../workflows/translation.workflow';
import { testWorkerConfig } from '../support/config';
import {
  createDistrict,
  createUser,
  openTestDatabase,
  type TestDatabase,
  type TestUser,
} from '../support/factories';
import {
  createDeliveredAnnouncement,
  createGuardians,
  createMessage,
  testFieldCipher,
} from '../support/translation-fixtures';
import { rowsOf } from '../support/database';

const WORKFLOWS_PATH = require.resolve('../../workflows/translation.workflow');
const BODY = 'ORIGINAL-BODY-MARKER: school closes at noon on Wednesday.';

type Payload = temporal.api.common.v1.IPayload;

/** The local provider, failing for chosen target languages a chosen number of times first. */
class ScriptedProvider implements TranslationProvider {
  readonly inner = new LocalPseudoTranslationProvider();
  readonly name = this.inner.name;
  readonly supportsAutoDetect = false;
  readonly failures = new Map<string, { error: () => TranslationError; times: number }>();
  attempts = 0;

  async translate(text: string, options: TranslateOptions) {
    this.attempts++;
    const failure = this.failures.get(options.target);
    if (failure && failure.times > 0) {
      failure.times--;
      throw failure.error();
    }
    return this.inner.translate(text, options);
  }

  supportedLanguages() {
    return this.inner.supportedLanguages();
  }

  get callCount() {
    return this.inner.callCount;
  }

  callLog() {
    return this.inner.callLog();
  }
}

/**
 * The translation workflow on the real Temporal dev server, with its activities in an in-process worker
 * on a task queue of this file's own, against the test database. The provider is the local one, which
 * counts its calls.
 */
describe('translation workflow on Temporal', () => {
  let config: WorkerConfig;
  let database: TestDatabase;
  let cipher: FieldCipher;
  let provider: ScriptedProvider;
  let worker: Worker;
  let running: Promise<void>;
  let nativeConnection: NativeConnection;
  let connection: Connection;
  let client: Client;
  let districtId: string;
  let teacher: TestUser;

  beforeAll(async () => {
    config = testWorkerConfig({ TEMPORAL_TASK_QUEUE: `translation-workflow-test-${randomUUID()}` });
    database = openTestDatabase();
    cipher = testFieldCipher(database.db, config);
    provider = new ScriptedProvider();
    const dataConverter = createDataConverter(config);
    nativeConnection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
    worker = await Worker.create({
      connection: nativeConnection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      dataConverter,
      workflowsPath: WORKFLOWS_PATH,
      activities: createTranslationActivities({
        config,
        db: database.db,
        fieldCipher: cipher,
        logger: createLogger({ name: 'translation-workflow-test', level: 'warn' }),
        translationProvider: provider,
      }),
    });
    running = worker.run();
    connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
    client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter });
    districtId = await createDistrict(database.db);
    teacher = await createUser(database.db, districtId, { role: 'teacher', preferredLanguage: 'en' });
  }, 120_000);

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await nativeConnection?.close();
    await connection?.close();
    await database?.close();
  });

  async function runTranslation(subjectKind: 'message' | 'announcement', subjectId: string) {
    const workflowId = await WorkflowGateway.on(client, config).startTranslation({
      districtId,
      subjectKind,
      subjectId,
    });
    const result = await client.workflow.getHandle(workflowId).result();
    return { workflowId, result: result as TranslationWorkflowResult };
  }

  it('when the guardians of an English announcement prefer es, vi and en, then exactly two provider calls are made (es, vi)', async () => {
    const guardians = await createGuardians(database.db, districtId, ['es', 'vi', 'en', 'vi', 'es']);
    const announcementId = await createDeliveredAnnouncement(database.db, cipher, {
      districtId,
      author: teacher,
      recipients: guardians,
      body: BODY,
      sourceLanguage: 'en',
    });
    const callsBefore = provider.callCount;

    const { workflowId, result } = await runTranslation('announcement', announcementId);

    expect(workflowId).toBe(`translation-announcement-${announcementId}`);
    expect(result).toEqual({
      targetLanguages: 2,
      translated: 2,
      alreadyTranslated: 0,
      failed: 0,
      unsupportedLanguages: 0,
    });
    expect(
      provider
        .callLog()
        .slice(callsBefore)
        .map((call) => call.target)
        .sort(),
    ).toEqual(['es', 'vi']);
    const reader = new TranslationReader({ db: database.db, cipher });
    const subject = { kind: 'announcement' as const, id: announcementId, sourceLanguage: 'en' };
    for (const guardian of guardians) {
      const preferredLanguage = (await database.db.forDistrict(districtId).users.findProfile(guardian.id))!
        .preferredLanguage;
      const translation = await reader.translationFor({ districtId, preferredLanguage }, subject);
      if (preferredLanguage === 'en') expect(translation).toBeUndefined();
      else
        expect(translation).toEqual({
          language: preferredLanguage,
          body: `[${preferredLanguage}] ${BODY}`,
          provider: 'local-pseudo',
        });
    }
  });

  it('when the workflow runs again for the same announcement, then no provider call is made', async () => {
    const guardians = await createGuardians(database.db, districtId, ['es', 'vi']);
    const announcementId = await createDeliveredAnnouncement(database.db, cipher, {
      districtId,
      author: teacher,
      recipients: guardians,
      body: BODY,
      sourceLanguage: 'en',
    });
    await runTranslation('announcement', announcementId);
    const callsBefore = provider.callCount;

    const { result } = await runTranslation('announcement', announcementId);

    expect(result).toMatchObject({ targetLanguages: 2, translated: 0, alreadyTranslated: 2 });
    expect(provider.callCount).toBe(callsBefore);
  });

  it('when a message is sent, then it is translated into the other participant’s language only', async () => {
    const [guardian] = await createGuardians(database.db, districtId, ['so']);
    const messageId = await createMessage(database.db, cipher, {
      districtId,
      sender: teacher,
      recipient: guardian!,
      body: BODY,
      sourceLanguage: 'en',
    });
    const callsBefore = provider.callCount;

    const { result } = await runTranslation('message', messageId);

    expect(result).toMatchObject({ targetLanguages: 1, translated: 1 });
    expect(provider.callLog().slice(callsBefore)).toEqual([{ source: 'en', target: 'so' }]);
  });

  it('when a reader prefers a language the provider does not offer, then it is counted and skipped', async () => {
    const guardians = [
      await createUser(database.db, districtId, { role: 'guardian', preferredLanguage: 'tlh' }),
      ...(await createGuardians(database.db, districtId, ['es'])),
    ];
    const announcementId = await createDeliveredAnnouncement(database.db, cipher, {
      districtId,
      author: teacher,
      recipients: guardians,
      body: BODY,
      sourceLanguage: 'en',
    });

    const { result } = await runTranslation('announcement', announcementId);

    expect(result).toEqual({
      targetLanguages: 1,
      translated: 1,
      alreadyTranslated: 0,
      failed: 0,
      unsupportedLanguages: 1,
    });
  });

  it('when one language keeps failing and another is throttled for a while, then the others are stored and the workflow still completes', async () => {
    const guardians = await createGuardians(database.db, districtId, ['fa', 'ps', 'es']);
    const announcementId = await createDeliveredAnnouncement(database.db, cipher, {
      districtId,
      author: teacher,
      recipients: guardians,
      body: BODY,
      sourceLanguage: 'en',
    });
    provider.failures.set('fa', { error: () => new UnsupportedLanguagePairError('en', 'fa'), times: 100 });
    provider.failures.set('ps', { error: () => new TranslationThrottledError('slow down (test)'), times: 2 });
    const attemptsBefore = provider.attempts;

    const result = await client.workflow.execute(translationWorkflow, {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      workflowId: `translation-announcement-${announcementId}`,
      args: [
        {
          districtId,
          subjectKind: 'announcement',
          subjectId: announcementId,
          retry: { initialIntervalMs: 100, maximumIntervalMs: 200, maximumAttempts: 5 },
        },
      ],
    });

    expect(result).toEqual({
      targetLanguages: 3,
      translated: 2,
      alreadyTranslated: 0,
      failed: 1,
      unsupportedLanguages: 0,
    });
    // fa: one attempt, not retried; ps: two throttled attempts, then the one that succeeds; es: one.
    expect(provider.attempts - attemptsBefore).toBe(5);
    const stored = await rowsOf(database.db).translation.findMany({
      where: { announcementId },
      select: { language: true },
      orderBy: { language: 'asc' },
    });
    expect(stored.map((row) => row.language)).toEqual(['es', 'ps']);
  });

  it('when a translation workflow has run, then its history holds neither the text nor the translation', async () => {
    const guardians = await createGuardians(database.db, districtId, ['es']);
    const announcementId = await createDeliveredAnnouncement(database.db, cipher, {
      districtId,
      author: teacher,
      recipients: guardians,
      body: BODY,
      sourceLanguage: 'en',
    });
    const { workflowId } = await runTranslation('announcement', announcementId);

    const { history } = await client.workflowService.getWorkflowExecutionHistory({
      namespace: config.TEMPORAL_NAMESPACE,
      execution: { workflowId },
    });
    const raw = JSON.stringify(history, (_key, value: unknown) =>
      value instanceof Uint8Array ? Buffer.from(value).toString('latin1') : value,
    );
    expect(raw).not.toContain('ORIGINAL-BODY-MARKER');
    expect(raw).not.toContain('school closes');
    expect(raw).not.toContain('[es]');
    // Search attributes stay readable by design (the server indexes them); they hold the district id.
    const events = (history?.events ?? []).map((event) => ({
      ...event,
      workflowExecutionStartedEventAttributes: {
        ...event.workflowExecutionStartedEventAttributes,
        searchAttributes: null,
      },
    }));
    const payloads = collectPayloads(events);
    expect(payloads.length).toBeGreaterThan(0);
    for (const payload of payloads) {
      expect(Buffer.from(payload.metadata!.encoding!).toString()).toBe('binary/encrypted');
    }
  });
});

function collectPayloads(value: unknown, found: Payload[] = []): Payload[] {
  if (Array.isArray(value)) value.forEach((v) => collectPayloads(v, found));
  else if (value && typeof value === 'object' && !(value instanceof Uint8Array)) {
    const candidate = value as Payload;
    if (candidate.metadata && candidate.data instanceof Uint8Array) found.push(candidate);
    else Object.values(value).forEach((v) => collectPayloads(v, found));
  }
  return found;
}
