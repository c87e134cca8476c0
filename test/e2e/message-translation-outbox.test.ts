import { randomUUID } from 'node:crypto';
import { type Pool } from 'pg';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { workflowIds } from '../../libs/adapters/temporal/workflow-safe/workflow-ids';
import { testApiConfig, testWorkerConfig } from '../support/config';
import { createTestPool } from '../support/database';
import { request, type RunningApi, startApi } from '../support/http';
import { freePort, waitFor } from '../support/processes';
import { createSectionFixture, type SectionFixture, signInAs } from '../support/roster-factory';
import { connectTestClient } from '../support/temporal-client';
import { startTestWorkers } from '../support/workers';

interface Translated {
  id: string;
  body: string;
  translation?: { language: string; body: string; provider: string };
}

/**
 * Issue 14: a message's translation start leaves the request path through the workflow outbox. The
 * API here has no Temporal at all (its address is a closed port), so anything the send owes Temporal
 * must survive in the database until the worker's drainer, on the real Temporal, starts it.
 */
describe('message translation through the workflow outbox', () => {
  const taskQueue = `outbox-e2e-${randomUUID()}`;
  const queues = { TEMPORAL_TASK_QUEUE: taskQueue, TEMPORAL_SCAN_TASK_QUEUE: `${taskQueue}-scan` };
  let api: RunningApi;
  let pool: Pool;
  let temporal: Client;
  let section: SectionFixture;
  let teacherToken: string;
  let guardianToken: string;

  /** Whole rows, every column: what the outbox holds is ids and bookkeeping, never text. */
  const outboxRows = async (subjectId: string) =>
    (await pool.query(`SELECT * FROM workflow_outbox WHERE subject_id = $1`, [subjectId])).rows;

  const translationExists = async (messageId: string) => {
    try {
      await temporal.workflow.getHandle(workflowIds.translation('message', messageId)).describe();
      return true;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  };

  async function send(participantId: string, body: string): Promise<{ status: number; id: string }> {
    const opened = await request<{ id: string }>(api.baseUrl, 'POST', '/v1/conversations', {
      token: teacherToken,
      json: { participantId },
    });
    // Bounded well below the Temporal client's own retries of an unreachable server (about 20 s).
    const sent = await fetch(`${api.baseUrl}/v1/conversations/${opened.body.id}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${teacherToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ body }),
      signal: AbortSignal.timeout(8_000),
    });
    return { status: sent.status, id: ((await sent.json()) as { id: string }).id };
  }

  beforeAll(async () => {
    pool = createTestPool();
    temporal = await connectTestClient(testWorkerConfig(queues));
    api = await startApi(testApiConfig({ ...queues, TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` }));
    section = await createSectionFixture(pool, { students: 1 });
    await pool.query(`UPDATE users SET preferred_language = 'es' WHERE id = $1`, [section.guardians[0]!.id]);
    teacherToken = await signInAs(pool, section.districtId, section.teachers[0]!.id);
    guardianToken = await signInAs(pool, section.districtId, section.guardians[0]!.id);
  });

  afterAll(async () => {
    await api?.close();
    await temporal?.connection.close();
    await pool?.end();
  });

  it('when Temporal is unreachable at send time, then a send to a Spanish reader answers 201 with its outbox row committed, a send to an English reader owes nothing, and once a worker drains the row the reader sees the translation', async () => {
    const toGuardian = await send(section.guardians[0]!.id, 'Can we meet on Tuesday?');
    const toStudent = await send(section.students[0]!.id, 'See you in class');

    expect(toGuardian.status).toBe(201);
    expect(toStudent.status).toBe(201);
    expect(await outboxRows(toGuardian.id)).toEqual([
      {
        id: expect.any(String),
        kind: 'message_translation',
        district_id: section.districtId,
        subject_id: toGuardian.id,
        task_queue: taskQueue,
        attempts: 0,
        available_at: expect.any(Date),
        created_at: expect.any(Date),
      },
    ]);
    expect(await outboxRows(toStudent.id)).toEqual([]);
    expect(await translationExists(toGuardian.id)).toBe(false);

    const workers = await startTestWorkers(testWorkerConfig(queues));
    try {
      await waitFor('the Spanish translation', async () => {
        const { rows } = await pool.query(
          `SELECT 1 FROM translations WHERE message_id = $1 AND language = 'es'`,
          [toGuardian.id],
        );
        return rows.length === 1 ? true : undefined;
      });
    } finally {
      await workers.stop();
    }

    expect(await outboxRows(toGuardian.id)).toEqual([]);
    expect(await translationExists(toGuardian.id)).toBe(true);
    expect(await translationExists(toStudent.id)).toBe(false);
    const conversation = await pool.query<{ conversation_id: string }>(
      'SELECT conversation_id FROM messages WHERE id = $1',
      [toGuardian.id],
    );
    const page = await request<{ items: Translated[] }>(
      api.baseUrl,
      'GET',
      `/v1/conversations/${conversation.rows[0]!.conversation_id}/messages`,
      { token: guardianToken },
    );
    expect(page.body.items.find((m) => m.id === toGuardian.id)).toMatchObject({
      body: 'Can we meet on Tuesday?',
      translation: { language: 'es', body: '[es] Can we meet on Tuesday?', provider: 'local-pseudo' },
    });
  });
});
