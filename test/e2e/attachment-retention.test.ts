import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Client } from '@temporalio/client';
import { type Pool } from 'pg';
import { createWorkerComposition } from '../../apps/worker/src/composition';
import { createHomeroomWorkers } from '../../apps/worker/src/worker.factory';
import { createLogger } from '../../libs/logging/logger';
import { WorkflowGateway } from '../../libs/adapters/temporal/workflow-gateway';
import { scheduleIds } from '../../libs/adapters/temporal/workflow-safe/workflow-ids';
import { type RetentionSweepResult } from '../../activities/attachment-retention.activities';
import { type AppStack, startAppStack } from '../support/api-stack';
import { testApiConfig, testWorkerConfig } from '../support/config';
import { request, type RunningApi } from '../support/http';
import { createSectionFixture, type SectionFixture, signInAs } from '../support/roster-factory';
import { EICAR } from '../support/samples';
import { workflowBundle } from '../support/workers';
import { connectTestClient } from '../support/temporal-client';
import {
  attachmentTestEnv,
  removeTestStorage,
  blobPath,
  issueLink,
  upload,
  waitForStatus,
} from '../support/attachments';
import { minimalPdf } from '../support/sample-files';

/** Rows this suite makes "old" are dated two years back, beyond the one-year age it configures. */
const MAX_AGE_HOURS = 24 * 365;

describe('retention of orphaned uploads', () => {
  const env = attachmentTestEnv('att-retention', { ORPHAN_ATTACHMENT_MAX_AGE_HOURS: String(MAX_AGE_HOURS) });
  let stack: AppStack;
  let api: RunningApi;
  let pool: Pool;
  let temporal: Client;
  let section: SectionFixture;
  let teacherToken: string;

  beforeAll(async () => {
    stack = await startAppStack({ overrides: env.overrides });
    ({ api, pool } = stack);
    temporal = await connectTestClient(testApiConfig());
    section = await createSectionFixture(pool, { students: 1, guardiansPerStudent: 0 });
    teacherToken = await signInAs(pool, section.districtId, section.teachers[0]!.id);
  }, 120_000);

  afterAll(async () => {
    await temporal?.connection.close();
    await stack?.stop();
    removeTestStorage(env);
  });

  const uploadClean = async (name: string) => {
    const uploaded = await upload(api.baseUrl, teacherToken, minimalPdf(name), `${name}.pdf`);
    await waitForStatus(api.baseUrl, teacherToken, uploaded.body.id!, 'clean');
    return uploaded.body.id!;
  };
  const age = (ids: string[]) =>
    pool.query(`UPDATE attachments SET created_at = now() - interval '2 years' WHERE id = ANY($1::uuid[])`, [
      ids,
    ]);
  const rowExists = async (id: string) =>
    (await pool.query('SELECT 1 FROM attachments WHERE id = $1', [id])).rowCount === 1;
  const blobExists = (id: string) => existsSync(join(env.storageDir, blobPath(section.districtId, id)));

  it('when the sweep runs, then old uploads never attached are deleted with their blob and links, and nothing else', async () => {
    const orphanOld = await uploadClean('orphan-old');
    const orphanYoung = await uploadClean('orphan-young');
    const attachedOld = await uploadClean('attached-old');
    const quarantined = await upload(api.baseUrl, teacherToken, EICAR, 'eicar.txt');
    await waitForStatus(api.baseUrl, teacherToken, quarantined.body.id!, 'quarantined');
    const conversation = await request<{ id: string }>(api.baseUrl, 'POST', '/v1/conversations', {
      token: teacherToken,
      json: { participantId: section.students[0]!.id },
    });
    const sent = await request(api.baseUrl, 'POST', `/v1/conversations/${conversation.body.id}/messages`, {
      token: teacherToken,
      json: { body: 'See attached', attachmentIds: [attachedOld] },
    });
    expect(sent.status).toBe(201);
    expect((await issueLink(api.baseUrl, teacherToken, orphanOld)).status).toBe(201);
    await age([orphanOld, attachedOld, quarantined.body.id!]);

    const result = await temporal.workflow.execute<() => Promise<RetentionSweepResult>>(
      'attachmentRetentionWorkflow',
      {
        taskQueue: env.overrides.TEMPORAL_TASK_QUEUE!,
        workflowId: `attachment-retention-test-${randomUUID()}`,
      },
    );
    expect(result.orphansDeleted).toBeGreaterThanOrEqual(1);

    expect(await rowExists(orphanOld)).toBe(false);
    expect(blobExists(orphanOld)).toBe(false);
    expect(
      (await pool.query('SELECT 1 FROM download_links WHERE attachment_id = $1', [orphanOld])).rowCount,
    ).toBe(0);
    expect([await rowExists(orphanYoung), blobExists(orphanYoung)]).toEqual([true, true]);
    expect([await rowExists(attachedOld), blobExists(attachedOld)]).toEqual([true, true]);
    expect(await rowExists(quarantined.body.id!)).toBe(true);
  });

  it('when a worker starts with the schedule enabled, then the sweep schedule exists, and starting again updates it', async () => {
    const taskQueue = `att-retention-schedule-${randomUUID().slice(0, 8)}`;
    const scheduleId = scheduleIds.attachmentRetention(taskQueue);
    const config = testWorkerConfig({
      ...env.overrides,
      TEMPORAL_TASK_QUEUE: taskQueue,
      ORPHAN_SWEEP_INTERVAL_MINUTES: '90',
    });
    const composition = await createWorkerComposition(
      config,
      createLogger({ name: 'retention-test', level: 'warn' }),
      { poolSize: 2 },
    );
    try {
      const started = await createHomeroomWorkers(composition, {
        workflowBundle: await workflowBundle(),
        retentionSchedule: true,
      });
      const running = started.run();
      started.shutdown();
      await running;
      const first = await temporal.schedule.getHandle(scheduleId).describe();
      expect(first.spec.intervals).toEqual([expect.objectContaining({ every: 90 * 60_000 })]);
      expect(first.action).toEqual(
        expect.objectContaining({
          workflowType: 'attachmentRetentionWorkflow',
          taskQueue,
          workflowId: scheduleId,
        }),
      );
      expect(first.policies.overlap).toBe('SKIP');

      await WorkflowGateway.on(temporal, config).ensureAttachmentRetentionSchedule(30);
      const second = await temporal.schedule.getHandle(scheduleId).describe();
      expect(second.spec.intervals).toEqual([expect.objectContaining({ every: 30 * 60_000 })]);
    } finally {
      await temporal.schedule
        .getHandle(scheduleId)
        .delete()
        .catch(() => undefined);
      await composition.close();
    }
  });
});
