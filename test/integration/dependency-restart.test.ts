import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { applyMigrations } from '../../libs/db/migrate';
import { idempotentId } from '../../libs/messaging/idempotent-id';
import { testApiConfig, testWorkerConfig } from '../support/config';
import { request, type RunningApi, startApi } from '../support/http';
import {
  freePort,
  type ManagedProcess,
  type PrivatePostgres,
  startPrivateClamd,
  startPrivatePostgres,
  startPrivateTemporal,
  waitFor,
} from '../support/processes';
import { createDistrict, createSection, createUsers, signInMany } from '../support/roster-factory';
import { startTestWorkers, type TestWorkers } from '../support/workers';
import { attachmentTestEnv, describeAttachment, removeTestStorage } from '../support/attachments';

/**
 * Issue 11: a dependency's hiccup is a 503, never a 500, and never a duplicate. Sixteen clients send
 * messages (each send with its own Idempotency-Key, retried with it on 503 or a cut connection) and
 * two upload files, while a private PostgreSQL, Temporal and clamd (never the shared stack's) are
 * restarted one after the other. Every answer is counted: none may be a 500, every acknowledged
 * message is stored exactly once, and the API serves again within seconds of each dependency.
 */

const SENDERS = 16;
const UPLOADERS = 2;
/** A retried request gives up after this many attempts; the load's time bound, not a tolerance. */
const MAX_ATTEMPTS = 40;
const REQUEST_TIMEOUT_MS = 15_000;
/** The longest wait a client honours from Retry-After, to keep the run short. */
const MAX_RETRY_WAIT_MS = 2_000;
/** Longer than the API's 5 s deadline for starting a scan, so uploads meet a Temporal that is down. */
const TEMPORAL_DOWN_MS = 6_500;
const CLAMD_DOWN_MS = 3_000;
const RECOVERY_BOUND_MS = 5_000;
const LOAD_BOUND_MS = 150_000;

type Phase = 'warm-up' | 'postgres' | 'temporal' | 'clamd' | 'after';

/** An answer, labelled with the phase in which it arrived. */
interface Answer {
  phase: Phase;
  kind: 'send' | 'upload';
  status: number | 'network';
  code?: string;
  retryAfter?: string | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('dependency restarts under a send load', () => {
  let postgres: PrivatePostgres | undefined;
  let temporal: ManagedProcess | undefined;
  let clamd: (ManagedProcess & { dir: string }) | undefined;
  let temporalDir: string | undefined;
  let attachmentEnv: ReturnType<typeof attachmentTestEnv> | undefined;
  let api: RunningApi | undefined;
  let workers: TestWorkers | undefined;
  let pool: Pool | undefined;
  let temporalPort = 0;
  let clamdPort = 0;
  let namespace = '';

  beforeAll(async () => {
    postgres = await startPrivatePostgres(await freePort());
    await applyMigrations(postgres.url);
    temporalPort = await freePort();
    temporalDir = mkdtempSync(join(tmpdir(), 'homeroom-temporal-'));
    namespace = testApiConfig().TEMPORAL_NAMESPACE;
    temporal = await startTemporal();
    clamdPort = await freePort();
    clamd = await startPrivateClamd(clamdPort);
    attachmentEnv = attachmentTestEnv('dep-restart', {
      DATABASE_URL: postgres.url,
      TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
      CLAMD_HOST: '127.0.0.1',
      CLAMD_PORT: String(clamdPort),
      // One teacher sends the whole load: quotas are not what this test measures.
      QUOTA_MESSAGES_PER_USER_PER_HOUR: '1000000',
      QUOTA_MESSAGES_PER_DISTRICT_PER_HOUR: '1000000000',
      QUOTA_UPLOADS_PER_USER_PER_HOUR: '1000000',
      QUOTA_UPLOADS_PER_DISTRICT_PER_HOUR: '100000000',
    });
    api = await startApi(testApiConfig(attachmentEnv.overrides));
    workers = await startTestWorkers(testWorkerConfig(attachmentEnv.overrides));
    pool = new Pool({ connectionString: postgres.url, max: 2 });
    pool.on('error', () => undefined);
  }, 120_000);

  afterAll(async () => {
    await workers?.stop().catch(() => undefined);
    await api?.close().catch(() => undefined);
    await pool?.end().catch(() => undefined);
    await temporal?.stop().catch(() => undefined);
    await clamd?.stop().catch(() => undefined);
    if (clamd) rmSync(clamd.dir, { recursive: true, force: true });
    await postgres?.destroy();
    if (temporalDir) rmSync(temporalDir, { recursive: true, force: true });
    if (attachmentEnv) removeTestStorage(attachmentEnv);
  }, 60_000);

  function startTemporal(): Promise<ManagedProcess> {
    return startPrivateTemporal(temporalPort, {
      dbFilename: join(temporalDir!, 'temporal.db'),
      namespaces: [namespace],
    });
  }

  it('when PostgreSQL, Temporal and clamd restart, then no answer is a 500 and every acknowledged message is stored once', async () => {
    const baseUrl = api!.baseUrl;
    const { districtId, schoolId } = await createDistrict(pool!);
    const [teacher] = await createUsers(pool!, districtId, 'teacher', 1, schoolId);
    const students = await createUsers(pool!, districtId, 'student', SENDERS, schoolId);
    await createSection(pool!, districtId, schoolId, { teachers: [teacher!], students });
    const tokens = await signInMany(pool!, districtId, Array(SENDERS + UPLOADERS + 1).fill(teacher!.id));
    const conversationIds: string[] = [];
    for (const student of students) {
      const opened = await request<{ id: string }>(baseUrl, 'POST', '/v1/conversations', {
        token: tokens[0],
        json: { participantId: student.id },
      });
      expect(opened.status).toBe(201);
      conversationIds.push(opened.body.id);
    }

    // However the product behaves, the clients stop well before the test's own timeout.
    const giveUpAt = Date.now() + LOAD_BOUND_MS;
    let phase: Phase = 'warm-up';
    let stopping = false;
    const answers: Answer[] = [];
    const acknowledged = new Map<string, string>();
    const keysTried = new Set<string>();
    const uploadsAccepted: { id: string; phase: Phase }[] = [];
    let gaveUp = 0;

    /** One send, retried with the same key on 503 and on a cut connection; true once acknowledged. */
    async function sendOnce(token: string, conversationId: string, key: string): Promise<boolean> {
      keysTried.add(key);
      for (let attempt = 0; attempt < MAX_ATTEMPTS && Date.now() < giveUpAt; attempt++) {
        const answer = await timedRequest('send', () =>
          fetch(`${baseUrl}/v1/conversations/${conversationId}/messages`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${token}`,
              'content-type': 'application/json',
              'idempotency-key': key,
            },
            body: JSON.stringify({ body: `Message ${key}` }),
            signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
          }),
        );
        if (answer.status === 201) {
          acknowledged.set(key, answer.id!);
          return true;
        }
        if (answer.status !== 503 && answer.status !== 'network') return false;
        await sleep(retryWait(answer));
      }
      gaveUp++;
      return false;
    }

    async function timedRequest(
      kind: Answer['kind'],
      send: () => Promise<Response>,
    ): Promise<Answer & { id?: string }> {
      try {
        const res = await send();
        const body = (await res.json().catch(() => ({}))) as { id?: string; error?: { code: string } };
        const answer: Answer = {
          phase,
          kind,
          status: res.status,
          code: body.error?.code,
          retryAfter: res.headers.get('retry-after'),
        };
        answers.push(answer);
        return { ...answer, id: body.id };
      } catch {
        const answer: Answer = { phase, kind, status: 'network' };
        answers.push(answer);
        return answer;
      }
    }

    function retryWait(answer: Answer): number {
      const seconds = Number(answer.retryAfter);
      return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds * 1_000, MAX_RETRY_WAIT_MS) : 200;
    }

    async function sender(index: number): Promise<void> {
      for (let n = 0; !stopping && Date.now() < giveUpAt; n++) {
        await sendOnce(tokens[1 + index]!, conversationIds[index]!, `load-${index}-${n}`);
      }
    }

    async function uploadOnce(token: string, label: string): Promise<Answer & { id?: string }> {
      const form = new FormData();
      form.append(
        'file',
        new Blob([`Reading list ${label}\n`], { type: 'text/plain' }),
        `reading-${label}.txt`,
      );
      return timedRequest('upload', () =>
        fetch(`${baseUrl}/v1/attachments`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}` },
          body: form,
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        }),
      );
    }

    async function uploader(index: number): Promise<void> {
      for (let n = 0; !stopping && Date.now() < giveUpAt; n++) {
        const answer = await uploadOnce(tokens[1 + SENDERS + index]!, `${index}-${n}`);
        if (answer.status === 202) uploadsAccepted.push({ id: answer.id!, phase: answer.phase });
        else await sleep(answer.status === 503 ? 500 : 200);
      }
    }

    /** Milliseconds from now until `probe` first succeeds, probing every 100 ms. */
    async function timeUntil(probe: () => Promise<boolean>, boundMs: number): Promise<number> {
      const started = Date.now();
      while (Date.now() - started < boundMs) {
        if (await probe()) return Date.now() - started;
        await sleep(100);
      }
      return Number.POSITIVE_INFINITY;
    }

    let probes = 0;
    const probeToken = tokens[0]!;
    const unsettledProbes: string[] = [];
    /** One send without waiting: recovery is timed from the first that succeeds. */
    async function sendProbe(): Promise<boolean> {
      const key = `probe-${probes++}`;
      keysTried.add(key);
      const answer = await timedRequest('send', () =>
        fetch(`${baseUrl}/v1/conversations/${conversationIds[0]!}/messages`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${probeToken}`,
            'content-type': 'application/json',
            'idempotency-key': key,
          },
          body: JSON.stringify({ body: `Message ${key}` }),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        }),
      );
      if (answer.status === 201) acknowledged.set(key, answer.id!);
      else unsettledProbes.push(key);
      return answer.status === 201;
    }

    const load = [
      ...Array.from({ length: SENDERS }, (_, i) => sender(i)),
      ...Array.from({ length: UPLOADERS }, (_, i) => uploader(i)),
    ];
    const recovery: Record<string, number> = {};
    try {
      await sleep(2_000);

      phase = 'postgres';
      await postgres!.restart();
      recovery.postgres = await timeUntil(sendProbe, RECOVERY_BOUND_MS * 2);
      await sleep(1_500);

      phase = 'temporal';
      await temporal!.stop();
      await sleep(TEMPORAL_DOWN_MS);
      temporal = await startTemporal();
      recovery.temporal = await timeUntil(
        async () => (await uploadOnce(probeToken, `probe-${probes++}`)).status === 202,
        RECOVERY_BOUND_MS * 2,
      );
      await sleep(1_500);

      phase = 'clamd';
      await clamd!.stop();
      const uploadedWhileDown = await uploadOnce(probeToken, `clamd-down-${probes++}`);
      await sleep(CLAMD_DOWN_MS);
      expect(uploadedWhileDown.status).toBe(202);
      expect((await describeAttachment(baseUrl, probeToken, uploadedWhileDown.id!)).body.status).toBe(
        'scanning',
      );
      clamd = await startPrivateClamd(clamdPort, clamd!.dir);
      recovery.clamd = await timeUntil(
        async () =>
          (await describeAttachment(baseUrl, probeToken, uploadedWhileDown.id!)).body.status === 'clean',
        RECOVERY_BOUND_MS * 4,
      );
      await sleep(1_000);
      phase = 'after';
    } finally {
      stopping = true;
      await Promise.all(load);
    }
    // A probe that got no answer is settled the way any client would: retried with its key.
    for (const key of unsettledProbes) await sendOnce(probeToken, conversationIds[0]!, key);

    const count = (filter: (a: Answer) => boolean) => answers.filter(filter).length;
    const summary = Object.fromEntries(
      (['warm-up', 'postgres', 'temporal', 'clamd', 'after'] as const).map((p) => {
        const byStatus: Record<string, number> = {};
        for (const a of answers.filter((x) => x.phase === p)) {
          const key = `${a.kind} ${a.status}`;
          byStatus[key] = (byStatus[key] ?? 0) + 1;
        }
        return [p, byStatus];
      }),
    );
    console.log(
      JSON.stringify({
        answers: answers.length,
        acknowledged: acknowledged.size,
        recoveryMs: recovery,
        summary,
      }),
    );

    // No 500 (or any other 5xx but 503), and every 503 is the contract's, with Retry-After.
    expect(
      answers.filter((a) => typeof a.status === 'number' && a.status >= 500 && a.status !== 503),
    ).toEqual([]);
    expect(answers.filter((a) => a.status === 503 && (a.code !== 'UNAVAILABLE' || !a.retryAfter))).toEqual(
      [],
    );
    // Every other answer is a success: nobody was refused for anything but the outage.
    expect(
      answers.filter(
        (a) => a.status !== 'network' && a.status !== 503 && a.status !== 201 && a.status !== 202,
      ),
    ).toEqual([]);
    // The restarts were felt: PostgreSQL cut sends, Temporal held up uploads.
    expect(count((a) => a.phase === 'postgres' && a.kind === 'send' && a.status !== 201)).toBeGreaterThan(0);
    expect(count((a) => a.phase === 'temporal' && a.kind === 'upload' && a.status === 503)).toBeGreaterThan(
      0,
    );
    // Sends do not need Temporal or clamd: none failed while those were down.
    expect(
      count((a) => (a.phase === 'temporal' || a.phase === 'clamd') && a.kind === 'send' && a.status !== 201),
    ).toBe(0);

    // Every acknowledged message is stored exactly once, under the id its key derives; no row exists
    // that no key accounts for (a retry stored twice would be one).
    expect(gaveUp).toBe(0);
    const expectedId = (key: string) => idempotentId('message', districtId, teacher!.id, key);
    for (const [key, id] of acknowledged) expect(id).toBe(expectedId(key));
    const { rows } = await pool!.query<{ id: string }>('SELECT id FROM messages WHERE district_id = $1', [
      districtId,
    ]);
    const storedIds = rows.map((row) => row.id).sort();
    expect(storedIds).toEqual([...acknowledged.values()].sort());
    expect(acknowledged.size).toBe(keysTried.size);
    expect(acknowledged.size).toBeGreaterThan(SENDERS * 10);

    // The service was back within seconds of each dependency.
    expect(recovery.postgres).toBeLessThan(RECOVERY_BOUND_MS);
    expect(recovery.temporal).toBeLessThan(RECOVERY_BOUND_MS);
    expect(recovery.clamd).toBeLessThan(RECOVERY_BOUND_MS * 2);

    // Every accepted upload was scanned in the end, through all three restarts: no scan was lost.
    expect(uploadsAccepted.length).toBeGreaterThan(0);
    const accepted = uploadsAccepted.map((u) => u.id);
    await waitFor(
      'every accepted upload to be scanned clean',
      async () => {
        const { rows: pending } = await pool!.query(
          `SELECT id FROM attachments WHERE id = ANY($1::uuid[]) AND status <> 'clean'`,
          [accepted],
        );
        return pending.length === 0 ? true : undefined;
      },
      30_000,
    );
  }, 240_000);
});
