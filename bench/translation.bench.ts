import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createTranslationActivities } from '../activities/translation.activities';
import { loadWorkerConfig, type WorkerConfig } from '../libs/config/config';
import { FieldCipher } from '../libs/crypto/envelope';
import { LocalKeyWrapper } from '../libs/crypto/key-wrapper';
import { parseMasterKeyRing } from '../libs/crypto/master-key-ring';
import { Database } from '../libs/db/database';
import { createPrismaClient } from '../libs/db/prisma';
import { createLogger } from '../libs/logging/logger';
import { createDataConverter } from '../libs/temporal/data-converter';
import { LocalPseudoTranslationProvider } from '../libs/translation/local-pseudo.provider';
import { type TranslateOptions, type TranslationProvider } from '../libs/translation/translation-provider';
import { TranslationReader } from '../libs/translation/translation-reader';
import { subjectBodyAad } from '../libs/translation/translation-subject';
import { startTranslationWorkflow } from '../libs/translation/translation-workflow-start';

/**
 * Translation per announcement: provider calls and time until every reader's language is readable,
 * against the baseline of translating per recipient; and what translation adds to delivery (the start
 * of the workflow, the only step on the sending path) and to reading (decrypting a page's translations).
 *
 * Run against the local stack: `npx tsc -p tsconfig.build.json && node dist/bench/translation.bench.js`
 * with the test environment (source scripts/test-env.sh or /tmp/testenv.sh). Options by environment:
 * BENCH_RECIPIENTS (default 600), BENCH_PROVIDER_LATENCY_MS (default 150, a typical TranslateText
 * round trip; the local provider answers at once otherwise).
 */

/** Recipients' preferred languages, roughly as in a US district with many Spanish-speaking families. */
const LANGUAGE_MIX: [string, number][] = [
  ['en', 0.62],
  ['es', 0.24],
  ['vi', 0.06],
  ['zh', 0.04],
  ['ar', 0.02],
  ['so', 0.02],
];

class LatencyProvider implements TranslationProvider {
  readonly inner = new LocalPseudoTranslationProvider();
  readonly name = this.inner.name;
  readonly supportsAutoDetect = false;

  constructor(private readonly latencyMs: number) {}

  async translate(text: string, options: TranslateOptions) {
    await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    return this.inner.translate(text, options);
  }

  supportedLanguages() {
    return this.inner.supportedLanguages();
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const recipientsWanted = Number(process.env.BENCH_RECIPIENTS ?? 600);
  const latencyMs = Number(process.env.BENCH_PROVIDER_LATENCY_MS ?? 150);
  const config: WorkerConfig = loadWorkerConfig({
    ...process.env,
    TEMPORAL_TASK_QUEUE: `translation-bench-${randomUUID()}`,
    LOG_LEVEL: 'error',
  });
  const prisma = createPrismaClient(config.DATABASE_URL, { poolSize: 10 });
  const db = new Database(prisma);
  const cipher = new FieldCipher(db.dataKeys, new LocalKeyWrapper(parseMasterKeyRing(config)));
  const provider = new LatencyProvider(latencyMs);
  const dataConverter = createDataConverter(config);
  const nativeConnection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const worker = await Worker.create({
    connection: nativeConnection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    dataConverter,
    workflowsPath: require.resolve('../workflows/translation.workflow'),
    activities: createTranslationActivities({
      config,
      prisma,
      logger: createLogger({ name: 'translation-bench', level: 'error' }),
      provider,
    }),
  });
  const running = worker.run();
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter });

  try {
    const districtId = (await db.districts.create(`Translation bench ${randomUUID()}`)).id;
    const tenant = db.forDistrict(districtId);
    const teacher = await tenant.users.create({ role: 'teacher', givenName: 'Bench', familyName: 'Teacher' });
    const languages = LANGUAGE_MIX.flatMap(([language, share]) =>
      Array.from({ length: Math.round(share * recipientsWanted) }, () => language),
    );
    const recipients = await Promise.all(
      languages.map((preferredLanguage) =>
        tenant.users.create({
          role: 'guardian',
          givenName: 'Bench',
          familyName: 'Guardian',
          preferredLanguage,
        }),
      ),
    );
    const school = await prisma.school.create({
      data: { districtId, name: 'Bench school' },
      select: { id: true },
    });
    const section = await prisma.section.create({
      data: { districtId, schoolId: school.id, title: 'Bench section' },
      select: { id: true },
    });
    const announcementId = randomUUID();
    const body = 'The school will close at noon on Wednesday for teacher training. Buses leave at 12:15.';
    const sealed = await cipher.encrypt(
      districtId,
      body,
      subjectBodyAad({ kind: 'announcement', id: announcementId }),
    );
    await prisma.$executeRaw`
      INSERT INTO announcements (id, district_id, section_id, author_id, body_ciphertext, data_key_id, source_language, status)
      VALUES (${announcementId}::uuid, ${districtId}::uuid, ${section.id}::uuid, ${teacher.id}::uuid,
              ${sealed.ciphertext}, ${sealed.dataKeyId}::uuid, 'en', 'delivered')`;
    await prisma.delivery.createMany({
      data: recipients.map((recipient) => ({ announcementId, recipientId: recipient.id, districtId })),
    });

    const startedAt = performance.now();
    const workflowId = await startTranslationWorkflow(client, config.TEMPORAL_TASK_QUEUE, {
      districtId,
      subjectKind: 'announcement',
      subjectId: announcementId,
    });
    const startMs = performance.now() - startedAt;
    await client.workflow.getHandle(workflowId).result();
    const readableMs = performance.now() - startedAt;
    const nonSource = languages.filter((language) => language !== 'en').length;

    const startTimes: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t0 = performance.now();
      await startTranslationWorkflow(client, config.TEMPORAL_TASK_QUEUE, {
        districtId,
        subjectKind: 'announcement',
        subjectId: announcementId,
      });
      startTimes.push(performance.now() - t0);
    }

    const reader = new TranslationReader({ db, cipher });
    const readTimes: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t0 = performance.now();
      await reader.translationFor(
        { districtId, preferredLanguage: 'es' },
        { kind: 'announcement', id: announcementId, sourceLanguage: 'en' },
      );
      readTimes.push(performance.now() - t0);
    }

    const report = {
      recipients: recipients.length,
      distinctTargetLanguages: new Set(languages.filter((l) => l !== 'en')).size,
      providerCallsPerAnnouncement: provider.inner.callCount,
      baselineCallsPerRecipient: nonSource,
      simulatedProviderLatencyMs: latencyMs,
      allTranslationsReadableAfterMs: Math.round(readableMs),
      addedDeliveryLatency: {
        note: 'announcements: 0 (translation starts after the deliveries are written); messages: the workflow start',
        workflowStartMs: {
          first: Math.round(startMs),
          p50: percentile(startTimes, 50),
          p95: percentile(startTimes, 95),
        },
      },
      readerTranslationForMs: { p50: percentile(readTimes, 50), p95: percentile(readTimes, 95) },
    };
    process.stdout.write(
      `${JSON.stringify(report, (_k, v: unknown) => (typeof v === 'number' ? Math.round(v * 10) / 10 : v), 2)}\n`,
    );
  } finally {
    worker.shutdown();
    await running;
    await nativeConnection.close();
    await connection.close();
    await prisma.$disconnect();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`translation bench: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
