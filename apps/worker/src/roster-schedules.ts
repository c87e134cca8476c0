import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import {
  Client,
  type ScheduleOptions,
  type ScheduleOptionsStartWorkflowAction,
  ScheduleOverlapPolicy,
} from '@temporalio/client';
import { type NativeConnection } from '@temporalio/worker';
import { ConfigError, type WorkerConfig } from '../../../libs/config/config';
import { Database } from '../../../libs/db/database';
import { type HomeroomPrismaClient } from '../../../libs/db/prisma';
import { type Logger } from '../../../libs/logging/logger';
import { upsertSchedule } from '../../../libs/adapters/temporal/schedules';
import {
  rosterApiScheduleId,
  rosterApiWorkflowId,
  rosterDropFolderWorkflowId,
  rosterScheduleId,
} from '../../../libs/roster-import';
import { createDataConverter } from '../../../libs/adapters/temporal/data-converter';
import { DISTRICT_ID } from '../../../libs/adapters/temporal/search-attributes';
import type { rosterApiWorkflow } from '../../../workflows/roster-api.workflow';
import type { rosterDropFolderWorkflow } from '../../../workflows/roster-drop-folder.workflow';

export type RosterScheduleSettings = Pick<
  WorkerConfig,
  'ROSTER_DROP_FOLDERS' | 'ROSTER_SCHEDULE' | 'ROSTER_SCHEDULE_TIMEZONE' | 'TEMPORAL_TASK_QUEUE'
>;

type RosterScheduleDefinition = Omit<
  ScheduleOptions<ScheduleOptionsStartWorkflowAction<typeof rosterDropFolderWorkflow>>,
  'scheduleId'
>;

/**
 * Every configured district must exist and its drop folder must be a readable directory; all problems
 * are reported at once, naming ROSTER_DROP_FOLDERS, so a typo stops the worker instead of a silent
 * nightly failure.
 */
export async function checkDropFolders(db: Database, settings: RosterScheduleSettings): Promise<void> {
  const problems: string[] = [];
  for (const { districtId, folder } of settings.ROSTER_DROP_FOLDERS) {
    if (!(await db.districts.exists(districtId))) {
      problems.push(`ROSTER_DROP_FOLDERS: district ${districtId} does not exist`);
    }
    const folderStat = await stat(folder).catch(() => null);
    if (!folderStat?.isDirectory()) {
      problems.push(
        `ROSTER_DROP_FOLDERS: the drop folder of district ${districtId} (${folder}) is not a directory`,
      );
    } else if (
      !(await access(folder, constants.R_OK | constants.X_OK).then(
        () => true,
        () => false,
      ))
    ) {
      problems.push(
        `ROSTER_DROP_FOLDERS: the drop folder of district ${districtId} (${folder}) is not readable`,
      );
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
}

export function rosterScheduleDefinition(
  settings: RosterScheduleSettings,
  districtId: string,
): RosterScheduleDefinition {
  return {
    spec: { cronExpressions: [settings.ROSTER_SCHEDULE], timezone: settings.ROSTER_SCHEDULE_TIMEZONE },
    action: {
      type: 'startWorkflow',
      workflowType: 'rosterDropFolderWorkflow',
      args: [{ districtId }],
      taskQueue: settings.TEMPORAL_TASK_QUEUE,
      workflowId: rosterDropFolderWorkflowId(districtId),
      typedSearchAttributes: [{ key: DISTRICT_ID, value: districtId }],
    },
    // A nightly import still running when the next is due is not doubled; after an outage, only a
    // run missed within the last hour is made up (the default would replay a year).
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
  };
}

/**
 * Creates the Schedule `roster-schedule-<districtId>` of every district in ROSTER_DROP_FOLDERS, or
 * brings an existing one up to date (keeping whether an operator paused it): every worker start runs
 * this, so it is idempotent. Returns the schedule ids.
 */
export async function ensureRosterSchedules(
  client: Client,
  db: Database,
  settings: RosterScheduleSettings,
): Promise<string[]> {
  await checkDropFolders(db, settings);
  const ids: string[] = [];
  for (const { districtId } of settings.ROSTER_DROP_FOLDERS) {
    const scheduleId = rosterScheduleId(districtId);
    const definition = rosterScheduleDefinition(settings, districtId);
    await upsertSchedule(client, scheduleId, definition);
    ids.push(scheduleId);
  }
  return ids;
}

type RosterApiScheduleDefinition = Omit<
  ScheduleOptions<ScheduleOptionsStartWorkflowAction<typeof rosterApiWorkflow>>,
  'scheduleId'
>;

/** A district's OneRoster REST Schedule: its own cron (roster source set), the configured time zone. */
export function rosterApiScheduleDefinition(
  settings: Pick<RosterScheduleSettings, 'ROSTER_SCHEDULE_TIMEZONE' | 'TEMPORAL_TASK_QUEUE'>,
  districtId: string,
  cron: string,
): RosterApiScheduleDefinition {
  return {
    spec: { cronExpressions: [cron], timezone: settings.ROSTER_SCHEDULE_TIMEZONE },
    action: {
      type: 'startWorkflow',
      workflowType: 'rosterApiWorkflow',
      args: [{ districtId }],
      taskQueue: settings.TEMPORAL_TASK_QUEUE,
      workflowId: rosterApiWorkflowId(districtId),
      typedSearchAttributes: [{ key: DISTRICT_ID, value: districtId }],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
  };
}

/**
 * Creates or updates the Schedule `roster-api-schedule-<districtId>` of every district with a OneRoster
 * REST source (keeping whether an operator paused it), and deletes those of districts without one.
 * Returns the schedule ids.
 */
export async function ensureRosterApiSchedules(
  client: Client,
  db: Database,
  settings: Pick<RosterScheduleSettings, 'ROSTER_SCHEDULE_TIMEZONE' | 'TEMPORAL_TASK_QUEUE'>,
): Promise<string[]> {
  const ids: string[] = [];
  for (const source of await db.rosterApiSources.all()) {
    const scheduleId = rosterApiScheduleId(source.districtId);
    const definition = rosterApiScheduleDefinition(settings, source.districtId, source.schedule);
    await upsertSchedule(client, scheduleId, definition);
    ids.push(scheduleId);
  }
  // A district whose source was removed keeps no Schedule.
  for await (const schedule of client.schedule.list()) {
    const { scheduleId } = schedule;
    if (scheduleId.startsWith(rosterApiScheduleId('')) && !ids.includes(scheduleId)) {
      await client.schedule.getHandle(scheduleId).delete();
    }
  }
  return ids;
}

/**
 * The worker's start-up step: set up the drop-folder and OneRoster REST Schedules, or stop the
 * process with exit code 78 (configuration error) and a message naming the variable.
 */
export async function ensureRosterSchedulesAtStart(deps: {
  connection: NativeConnection;
  prisma: HomeroomPrismaClient;
  config: WorkerConfig;
  logger: Logger;
}): Promise<void> {
  const { config } = deps;
  const client = new Client({
    connection: deps.connection,
    namespace: config.TEMPORAL_NAMESPACE,
    dataConverter: createDataConverter(config),
  });
  try {
    const db = new Database(deps.prisma);
    const scheduleIds = [
      ...(await ensureRosterSchedules(client, db, config)),
      ...(await ensureRosterApiSchedules(client, db, config)),
    ];
    if (scheduleIds.length > 0) deps.logger.info({ scheduleIds }, 'roster schedules ready');
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`homeroom-worker: ${error.message}\n`);
    process.exit(78);
  }
}
