import { randomUUID } from 'node:crypto';
import { type Client, Connection } from '@temporalio/client';
import { type TemporalConfig } from '../../libs/config/config';
import { DISTRICT_ID, ROSTER_IMPORT_ID } from '../../libs/adapters/temporal/workflow-safe/search-attributes';
import { WorkflowGateway } from '../../libs/adapters/temporal/workflow-gateway';
import { scheduleIds, workflowIds } from '../../libs/adapters/temporal/workflow-safe/workflow-ids';
import { testWorkerConfig } from '../support/config';
import { connectTestClient } from '../support/temporal-client';

/**
 * The gateway's id, reuse and conflict choices against the real Temporal server. The task queue has no
 * worker, so a started workflow stays running until this suite terminates it: what is asserted is what
 * the server recorded (runs, ids, search attributes, Schedule state), not what a workflow did.
 */
describe('the workflow gateway', () => {
  const taskQueue = `workflow-gateway-${randomUUID()}`;
  let config: TemporalConfig;
  let client: Client;
  let gateway: WorkflowGateway;
  const started: string[] = [];
  const schedules: string[] = [];

  beforeAll(async () => {
    config = testWorkerConfig({
      TEMPORAL_TASK_QUEUE: taskQueue,
      TEMPORAL_SCAN_TASK_QUEUE: `${taskQueue}-scan`,
    });
    client = await connectTestClient(config);
    gateway = WorkflowGateway.on(client, config);
  });

  afterAll(async () => {
    for (const workflowId of started) {
      await client.workflow
        .getHandle(workflowId)
        .terminate('workflow gateway test')
        .catch(() => undefined);
    }
    for (const scheduleId of schedules) {
      await client.schedule
        .getHandle(scheduleId)
        .delete()
        .catch(() => undefined);
    }
    await client?.connection.close();
  });

  const runOf = async (workflowId: string) => {
    const description = await client.workflow.getHandle(workflowId).describe();
    return { runId: description.runId, status: description.status.name, taskQueue: description.taskQueue };
  };

  it('when an announcement fan-out is started twice, then the second start attaches to the first run, and once it is closed it is never run again', async () => {
    const ref = { districtId: randomUUID(), announcementId: randomUUID() };
    const workflowId = await gateway.startAnnouncementFanOut(ref);
    started.push(workflowId);
    expect(workflowId).toBe(workflowIds.announcement(ref.announcementId));
    const first = await runOf(workflowId);
    expect(first).toEqual({ runId: expect.any(String), status: 'RUNNING', taskQueue });

    expect(await gateway.startAnnouncementFanOut(ref)).toBe(workflowId);
    expect(await runOf(workflowId)).toEqual(first);

    await client.workflow.getHandle(workflowId).terminate('closed by the test');
    expect(await gateway.startAnnouncementFanOut(ref)).toBe(workflowId);
    expect(await runOf(workflowId)).toEqual({ ...first, status: 'TERMINATED' });
  });

  it('when a finished translation is started again, then it runs again under the same id', async () => {
    const ref = { districtId: randomUUID(), subjectKind: 'message' as const, subjectId: randomUUID() };
    const workflowId = await gateway.startTranslation(ref);
    started.push(workflowId);
    expect(workflowId).toBe(`translation-message-${ref.subjectId}`);
    const first = await runOf(workflowId);
    expect(await gateway.startTranslation(ref)).toBe(workflowId);
    expect((await runOf(workflowId)).runId).toBe(first.runId);

    await client.workflow.getHandle(workflowId).terminate('closed by the test');
    await gateway.startTranslation(ref);
    const second = await runOf(workflowId);
    expect(second.status).toBe('RUNNING');
    expect(second.runId).not.toBe(first.runId);
  });

  it('when an upload is scanned once and an operator rescans it, then only the rescan runs it again, on the scan queue', async () => {
    const ref = { districtId: randomUUID(), attachmentId: randomUUID() };
    const retry = { initialIntervalMs: 1_000, maximumIntervalMs: 2_000, budgetMs: 60_000 };
    const workflowId = await gateway.startAttachmentScan(ref, { retry, runs: 'once' });
    started.push(workflowId);
    const first = await runOf(workflowId);
    expect(first.taskQueue).toBe(`${taskQueue}-scan`);
    expect(await gateway.attachmentScanState(ref.attachmentId)).toBe('running');

    await client.workflow.getHandle(workflowId).terminate('closed by the test');
    expect(await gateway.attachmentScanState(ref.attachmentId)).toBe('closed');
    await gateway.startAttachmentScan(ref, { retry, runs: 'once' });
    expect((await runOf(workflowId)).runId).toBe(first.runId);

    await gateway.startAttachmentScan(ref, { retry, runs: 'again' });
    const rescan = await runOf(workflowId);
    expect(rescan.runId).not.toBe(first.runId);
    expect(rescan.status).toBe('RUNNING');
  });

  it('when a roster import starts, then operators find it by district and import id, and a confirmed hold has its own id', async () => {
    const ref = { districtId: randomUUID(), importId: randomUUID() };
    const workflowId = await gateway.startRosterImport(ref);
    const heldAt = new Date('2026-01-02T03:04:05.678Z');
    const confirmedId = await gateway.startConfirmedRosterImport(ref, heldAt);
    started.push(workflowId, confirmedId);
    expect(workflowId).toBe(`roster-${ref.districtId}-${ref.importId}`);
    expect(confirmedId).toBe(`roster-${ref.districtId}-${ref.importId}-confirmed-${heldAt.getTime()}`);
    for (const id of [workflowId, confirmedId]) {
      const { typedSearchAttributes } = await client.workflow.getHandle(id).describe();
      expect(typedSearchAttributes.get(DISTRICT_ID)).toBe(ref.districtId);
      expect(typedSearchAttributes.get(ROSTER_IMPORT_ID)).toBe(ref.importId);
    }
    // No worker answers on this queue: the status read goes on without the workflow's progress.
    expect(await gateway.rosterImportProgress(workflowId, 300)).toBeNull();
  });

  it('when a fan-out that never started or already closed is cancelled, then nothing happens; a running one is asked to stop', async () => {
    await expect(gateway.cancelAnnouncementFanOut(randomUUID())).resolves.toBeUndefined();

    const ref = { districtId: randomUUID(), announcementId: randomUUID() };
    const workflowId = await gateway.startAnnouncementFanOut(ref);
    started.push(workflowId);
    await gateway.cancelAnnouncementFanOut(ref.announcementId);
    const { events } = await client.workflow.getHandle(workflowId).fetchHistory();
    expect(events?.some((event) => event.workflowExecutionCancelRequestedEventAttributes)).toBe(true);

    await client.workflow.getHandle(workflowId).terminate('closed by the test');
    await expect(gateway.cancelAnnouncementFanOut(ref.announcementId)).resolves.toBeUndefined();
    expect(await gateway.workflowState(workflowIds.alertDelivery(randomUUID()))).toBe('not-found');
  });

  it('when a Schedule an operator paused is ensured again with new timing, then it takes the timing and stays paused', async () => {
    const districtId = randomUUID();
    const scheduleId = await gateway.ensureRosterApiSchedule(districtId, {
      cron: '0 2 * * *',
      timezone: 'UTC',
    });
    schedules.push(scheduleId);
    expect(scheduleId).toBe(scheduleIds.rosterApi(districtId));
    await client.schedule.getHandle(scheduleId).pause('operator pause');

    await gateway.ensureRosterApiSchedule(districtId, { cron: '30 4 * * *', timezone: 'America/Chicago' });
    const description = await client.schedule.getHandle(scheduleId).describe();
    expect(description.state.paused).toBe(true);
    expect(description.spec.timezone).toBe('America/Chicago');
    expect(description.action).toMatchObject({
      workflowType: 'rosterApiWorkflow',
      workflowId: workflowIds.rosterApi(districtId),
      taskQueue,
    });
  });

  it('when Temporal does not answer, then a start fails within the gateway deadline', async () => {
    // Nothing listens on port 1 of loopback.
    const connection = Connection.lazy({ address: '127.0.0.1:1' });
    try {
      const unreachable = WorkflowGateway.over(connection, config, 500);
      const before = Date.now();
      await expect(
        unreachable.startAnnouncementFanOut({ districtId: randomUUID(), announcementId: randomUUID() }),
      ).rejects.toThrow();
      expect(Date.now() - before).toBeLessThan(5_000);
    } finally {
      await connection.close();
    }
  });
});
