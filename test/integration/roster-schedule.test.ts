import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Client, ScheduleOverlapPolicy } from '@temporalio/client';
import { ensureRosterSchedules } from '../../apps/worker/src/roster-schedules';
import { ConfigError, type WorkerConfig } from '../../libs/config/config';
import { readCounts } from '../../libs/roster-import';
import { generateRoster, writeRosterZip } from '../support/roster-generator/generator';
import { WorkflowGateway } from '../../libs/adapters/temporal/workflow-gateway';
import { scheduleIds } from '../../libs/adapters/temporal/workflow-safe/workflow-ids';
import { testWorkerConfig } from '../support/config';
import { createDistrict, openTestDatabase, type TestDatabase } from '../support/factories';
import { spawnWorker, waitFor } from '../support/processes';
import { startTestWorkers, type TestWorkers } from '../support/workers';
import { connectTestClient } from '../support/temporal-client';
import { rowsOf } from '../support/database';

describe('roster drop-folder schedules', () => {
  const taskQueue = `roster-schedule-${randomUUID()}`;
  let database: TestDatabase;
  let client: Client;
  let districtId: string;
  let folder: string;
  let workers: TestWorkers | undefined;
  const roster = generateRoster({ seed: 3, schools: 1, sections: 4, students: 40 });

  const settings = (overrides: Record<string, string> = {}): WorkerConfig =>
    testWorkerConfig({
      TEMPORAL_TASK_QUEUE: taskQueue,
      TEMPORAL_SCAN_TASK_QUEUE: `${taskQueue}-scan`,
      ROSTER_DROP_FOLDERS: `${districtId}=${folder}`,
      ...overrides,
    });
  /** The worker's start-up step, with the gateway the worker builds from the same settings. */
  const ensureSchedules = (config: WorkerConfig) =>
    ensureRosterSchedules(WorkflowGateway.on(client, config), database.db, config);

  beforeAll(async () => {
    database = openTestDatabase();
    districtId = await createDistrict(database.db);
    folder = mkdtempSync(join(tmpdir(), 'homeroom-drop-'));
    client = await connectTestClient();
  });

  afterAll(async () => {
    await workers?.stop();
    await client?.schedule
      .getHandle(scheduleIds.rosterDropFolder(districtId))
      .delete()
      .catch(() => undefined);
    await client?.connection.close();
    await database?.close();
  });

  it('when the worker starts twice with a drop folder, then one schedule exists with SKIP overlap and a one-hour catch-up window', async () => {
    const first = await ensureSchedules(settings());
    const second = await ensureSchedules(settings());
    expect(first).toEqual([`roster-schedule-${districtId}`]);
    expect(second).toEqual(first);

    const description = await client.schedule.getHandle(first[0]!).describe();
    expect(description.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'rosterDropFolderWorkflow',
      workflowId: `roster-drop-${districtId}`,
      taskQueue,
      args: [{ districtId }],
    });
    expect(description.policies).toMatchObject({
      overlap: ScheduleOverlapPolicy.SKIP,
      catchupWindow: 3_600_000,
    });
    expect(description.spec.timezone).toBe('America/New_York');
    expect(description.spec.calendars).toEqual([
      expect.objectContaining({
        hour: [{ start: 2, end: 2, step: 1 }],
        minute: [{ start: 0, end: 0, step: 1 }],
      }),
    ]);
  });

  it('when the schedule settings change, then the next start updates the existing schedule', async () => {
    await ensureSchedules(
      settings({ ROSTER_SCHEDULE: '30 4 * * *', ROSTER_SCHEDULE_TIMEZONE: 'America/Chicago' }),
    );
    const description = await client.schedule.getHandle(scheduleIds.rosterDropFolder(districtId)).describe();
    expect(description.spec.timezone).toBe('America/Chicago');
    expect(description.spec.calendars).toEqual([
      expect.objectContaining({
        hour: [{ start: 4, end: 4, step: 1 }],
        minute: [{ start: 30, end: 30, step: 1 }],
      }),
    ]);
  });

  it('when the schedule is triggered, then the newest export in the folder is imported, and an unchanged one is skipped', async () => {
    writeFileSync(join(folder, 'older.zip'), Buffer.from('PK\x03\x04 not the newest'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    writeFileSync(join(folder, 'export-2026-11-23.zip'), roster.zip);
    workers = await startTestWorkers(settings());
    const handle = client.schedule.getHandle(scheduleIds.rosterDropFolder(districtId));

    await handle.trigger();
    const imported = await waitFor(
      'the scheduled import',
      async () => {
        const rows = await rowsOf(database.db).rosterImport.findMany({ where: { districtId } });
        return rows.length === 1 && rows[0]!.status !== 'running' ? rows[0] : undefined;
      },
      60_000,
    );
    expect(imported).toMatchObject({ status: 'succeeded', source: 'schedule', createdById: null });
    const counts = readCounts(imported!.counts);
    expect(counts.usersCreated).toBe(
      roster.expected.users.teacher + roster.expected.users.student + roster.expected.users.guardian,
    );
    expect(counts.guardianLinksAdded).toBe(roster.expected.guardianLinks);

    // The import row says succeeded a moment before its workflow closes. Wait for the run itself to
    // close (its result, not the schedule's bookkeeping of running actions, which can lag under load),
    // so the second trigger is a fresh run that sees the first import.
    const firstRun = (await waitFor(
      'the first scheduled run',
      async () => (await handle.describe()).info.recentActions[0],
    ))!;
    await client.workflow
      .getHandle(firstRun.action.workflow.workflowId, firstRun.action.workflow.firstExecutionRunId)
      .result();
    await handle.trigger();
    const secondRun = await waitFor(
      'the second scheduled run',
      async () => {
        const { info } = await handle.describe();
        return info.recentActions.find(
          (action) => action.action.workflow.workflowId !== firstRun.action.workflow.workflowId,
        );
      },
      90_000,
    );
    const result = await client.workflow
      .getHandle(secondRun!.action.workflow.workflowId, secondRun!.action.workflow.firstExecutionRunId)
      .result();
    expect(result).toEqual({ status: 'skipped', reason: 'unchanged' });
    expect(await rowsOf(database.db).rosterImport.count({ where: { districtId } })).toBe(1);
  });

  it('when a scheduled export is a mass change, then it is held once: the same export is skipped, a newer one supersedes it', async () => {
    const handle = client.schedule.getHandle(scheduleIds.rosterDropFolder(districtId));
    const dropShare = (offset: number) =>
      writeRosterZip({
        ...roster.model,
        enrollments: roster.model.enrollments.filter((_, index) => (index + offset) % 10 >= 3),
      });
    const runs = async () => (await handle.describe()).info.recentActions.length;
    const triggerAndWait = async () => {
      const before = await runs();
      await handle.trigger();
      const action = await waitFor(
        'the scheduled run',
        async () => (await handle.describe()).info.recentActions[before],
        30_000,
      );
      return client.workflow
        .getHandle(action.action.workflow.workflowId, action.action.workflow.firstExecutionRunId)
        .result();
    };
    const imports = () =>
      rowsOf(database.db).rosterImport.findMany({ where: { districtId }, orderBy: { startedAt: 'asc' } });

    await new Promise((resolve) => setTimeout(resolve, 20));
    writeFileSync(join(folder, 'export-2026-11-24.zip'), dropShare(0));
    const held = await triggerAndWait();
    expect(held).toMatchObject({ status: 'held' });
    const first = (await imports()).at(-1)!;
    expect(first).toMatchObject({ status: 'held', source: 'schedule' });

    expect(await triggerAndWait()).toEqual({ status: 'skipped', reason: 'held' });
    expect(await imports()).toHaveLength(2);

    await new Promise((resolve) => setTimeout(resolve, 20));
    writeFileSync(join(folder, 'export-2026-11-25.zip'), dropShare(5));
    expect(await triggerAndWait()).toMatchObject({ status: 'held' });
    const after = await imports();
    expect(after).toHaveLength(3);
    expect(after.map((row) => row.status)).toEqual(['succeeded', 'discarded', 'held']);
    expect(after[1]!.id).toBe(first.id);
  });

  it('when a configured district or folder does not exist, then start-up fails naming ROSTER_DROP_FOLDERS', async () => {
    const ghost = randomUUID();
    const attempt = ensureSchedules(
      settings({ ROSTER_DROP_FOLDERS: `${ghost}=${folder};${districtId}=${join(folder, 'missing')}` }),
    );
    await expect(attempt).rejects.toBeInstanceOf(ConfigError);
    await expect(attempt).rejects.toMatchObject({
      problems: [
        `ROSTER_DROP_FOLDERS: district ${ghost} does not exist`,
        `ROSTER_DROP_FOLDERS: the drop folder of district ${districtId} (${join(folder, 'missing')}) is not a directory`,
      ],
    });
  });

  it('when the compiled worker starts with a drop folder that does not exist, then it exits 78 with the reason', async () => {
    const worker = spawnWorker({
      TEMPORAL_TASK_QUEUE: `roster-schedule-bad-${randomUUID()}`,
      TEMPORAL_SCAN_TASK_QUEUE: `roster-schedule-bad-scan-${randomUUID()}`,
      ROSTER_DROP_FOLDERS: `${districtId}=/nonexistent/drop`,
    });
    const exitCode = await new Promise<number | null>((resolve) =>
      worker.child.once('exit', (code) => resolve(code)),
    );
    expect(exitCode).toBe(78);
    expect(worker.output()).toContain(
      `the drop folder of district ${districtId} (/nonexistent/drop) is not a directory`,
    );
  }, 60_000);
});
