import { randomUUID } from 'node:crypto';
import { type Pool } from 'pg';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { TemporalClientService } from '../../apps/api/src/temporal/temporal-client.service';
import { type SubjectKind } from '../../libs/domain/translation/translation-subject';
import { type AppStack, startAppStack } from '../support/api-stack';
import { request, type RunningApi } from '../support/http';
import { workflowIds } from '../../libs/adapters/temporal/workflow-safe/workflow-ids';
import { waitFor } from '../support/processes';
import { createSectionFixture, type SectionFixture, signInAs } from '../support/roster-factory';

interface Translated {
  id: string;
  body: string;
  translation?: { language: string; body: string; provider: string };
}

/**
 * Messaging's side of translation: the fan-out and message sending start the translation workflow only
 * when a reader prefers another language, and readers get the stored translation (here from the worker's
 * local-pseudo provider) in their language beside the original.
 */
describe('translation hooks of messages and announcements', () => {
  const taskQueue = `fanout-${randomUUID()}`;
  let stack: AppStack;
  let api: RunningApi;
  let pool: Pool;
  let temporal: Client;
  let section: SectionFixture;
  let teacherToken: string;
  let spanishGuardianToken: string;
  let englishStudentToken: string;
  const startedTranslations: string[] = [];

  const translationStarted = async (kind: SubjectKind, id: string) => {
    const workflowId = workflowIds.translation(kind, id);
    try {
      await temporal.workflow.getHandle(workflowId).describe();
      startedTranslations.push(workflowId);
      return true;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  };
  /** The worker on this suite's queue translates with the embedded stack's local-pseudo provider. */
  const translationStored = (kind: SubjectKind, id: string, language: string) =>
    waitFor(`the ${language} translation of ${kind} ${id}`, async () => {
      const { rows } = await pool.query(
        `SELECT 1 FROM translations WHERE ${kind}_id = $1 AND language = $2`,
        [id, language],
      );
      return rows.length === 1 ? true : undefined;
    });
  const post = async (body: string) => {
    const res = await request<{ id: string }>(
      api.baseUrl,
      'POST',
      `/v1/sections/${section.sectionId}/announcements`,
      {
        token: teacherToken,
        json: { body },
      },
    );
    await waitFor('the fan-out', async () => {
      const row = await pool.query('SELECT status FROM announcements WHERE id = $1', [res.body.id]);
      return row.rows[0].status === 'delivered' ? true : undefined;
    });
    return res.body.id;
  };

  beforeAll(async () => {
    stack = await startAppStack({ overrides: { TEMPORAL_TASK_QUEUE: taskQueue } });
    ({ api, pool } = stack);
    temporal = api.app.get(TemporalClientService).client;
    section = await createSectionFixture(pool, { students: 2 });
    teacherToken = await signInAs(pool, section.districtId, section.teachers[0]!.id);
    spanishGuardianToken = await signInAs(pool, section.districtId, section.guardians[0]!.id);
    englishStudentToken = await signInAs(pool, section.districtId, section.students[0]!.id);
  });

  afterAll(async () => {
    // Whatever these tests started and is still running (none should be) ends with the suite.
    for (const workflowId of startedTranslations) {
      await temporal.workflow
        .getHandle(workflowId)
        .terminate('test cleanup')
        .catch(() => undefined);
    }
    await stack?.stop();
  });

  it('when every recipient reads the source language, then the fan-out starts no translation', async () => {
    const id = await post('Everyone reads English');

    expect(await translationStarted('announcement', id)).toBe(false);
  });

  it('when a guardian prefers Spanish, then the fan-out starts the translation and the guardian reads it beside the original', async () => {
    await pool.query(`UPDATE users SET preferred_language = 'es' WHERE id = $1`, [section.guardians[0]!.id]);
    const id = await post('Library books are due Monday');

    expect(
      await waitFor(
        'the translation start',
        async () => ((await translationStarted('announcement', id)) ? true : undefined),
        10_000,
      ),
    ).toBe(true);
    await translationStored('announcement', id, 'es');
    const guardianView = await request<Translated>(api.baseUrl, 'GET', `/v1/announcements/${id}`, {
      token: spanishGuardianToken,
    });
    expect(guardianView.body).toMatchObject({
      body: 'Library books are due Monday',
      translation: { language: 'es', body: '[es] Library books are due Monday', provider: 'local-pseudo' },
    });
    const guardianList = await request<{ items: Translated[] }>(api.baseUrl, 'GET', '/v1/announcements', {
      token: spanishGuardianToken,
    });
    expect(guardianList.body.items.find((a) => a.id === id)?.translation?.body).toBe(
      '[es] Library books are due Monday',
    );
    const studentView = await request<Translated>(api.baseUrl, 'GET', `/v1/announcements/${id}`, {
      token: englishStudentToken,
    });
    expect(studentView.body).not.toHaveProperty('translation');
  });

  it('when a message reaches a reader of another language, then its translation starts and only that reader sees it', async () => {
    const conversation = await request<{ id: string }>(api.baseUrl, 'POST', '/v1/conversations', {
      token: teacherToken,
      json: { participantId: section.guardians[0]!.id },
    });
    const toGuardian = await request<{ id: string }>(
      api.baseUrl,
      'POST',
      `/v1/conversations/${conversation.body.id}/messages`,
      { token: teacherToken, json: { body: 'Can we meet on Tuesday?' } },
    );
    const englishConversation = await request<{ id: string }>(api.baseUrl, 'POST', '/v1/conversations', {
      token: teacherToken,
      json: { participantId: section.students[0]!.id },
    });
    const toStudent = await request<{ id: string }>(
      api.baseUrl,
      'POST',
      `/v1/conversations/${englishConversation.body.id}/messages`,
      { token: teacherToken, json: { body: 'See you in class' } },
    );

    // The start leaves the request through the workflow outbox: the worker's drainer starts it shortly.
    // The English reader's message owes no translation, so no outbox row was committed with it.
    const { rows: owed } = await pool.query('SELECT 1 FROM workflow_outbox WHERE subject_id = $1', [
      toStudent.body.id,
    ]);
    expect(owed).toHaveLength(0);
    expect(
      await waitFor(
        'the translation start',
        async () => ((await translationStarted('message', toGuardian.body.id)) ? true : undefined),
        10_000,
      ),
    ).toBe(true);
    await translationStored('message', toGuardian.body.id, 'es');
    expect(await translationStarted('message', toStudent.body.id)).toBe(false);
    const page = async (token: string) =>
      (
        await request<{ items: Translated[] }>(
          api.baseUrl,
          'GET',
          `/v1/conversations/${conversation.body.id}/messages`,
          { token },
        )
      ).body.items.find((m) => m.id === toGuardian.body.id);
    expect(await page(spanishGuardianToken)).toMatchObject({
      body: 'Can we meet on Tuesday?',
      translation: { language: 'es', body: '[es] Can we meet on Tuesday?' },
    });
    expect(await page(teacherToken)).not.toHaveProperty('translation');
  });
});
