import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { ConfigError, type WorkerConfig } from '../../../libs/config/config';
import { type Database } from '../../../libs/db/database';
import { type Logger } from '../../../libs/logging/logger';
import { type WorkflowGateway } from '../../../libs/adapters/temporal/workflow-gateway';

export type RosterScheduleSettings = Pick<
  WorkerConfig,
  'ROSTER_DROP_FOLDERS' | 'ROSTER_SCHEDULE' | 'ROSTER_SCHEDULE_TIMEZONE'
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

/**
 * Creates the Schedule `roster-schedule-<districtId>` of every district in ROSTER_DROP_FOLDERS, or
 * brings an existing one up to date (keeping whether an operator paused it): every worker start runs
 * this, so it is idempotent. Returns the schedule ids.
 */
export async function ensureRosterSchedules(
  workflows: WorkflowGateway,
  db: Database,
  settings: RosterScheduleSettings,
): Promise<string[]> {
  await checkDropFolders(db, settings);
  const ids: string[] = [];
  for (const { districtId } of settings.ROSTER_DROP_FOLDERS) {
    ids.push(
      await workflows.ensureRosterDropFolderSchedule(districtId, {
        cron: settings.ROSTER_SCHEDULE,
        timezone: settings.ROSTER_SCHEDULE_TIMEZONE,
      }),
    );
  }
  return ids;
}

/**
 * Creates or updates the Schedule `roster-api-schedule-<districtId>` of every district with a OneRoster
 * REST source (keeping whether an operator paused it), and deletes those of districts without one.
 * Returns the schedule ids.
 */
export async function ensureRosterApiSchedules(
  workflows: WorkflowGateway,
  db: Database,
  settings: Pick<RosterScheduleSettings, 'ROSTER_SCHEDULE_TIMEZONE'>,
): Promise<string[]> {
  const ids: string[] = [];
  const districtIds: string[] = [];
  for (const source of await db.rosterApiSources.all()) {
    ids.push(
      await workflows.ensureRosterApiSchedule(source.districtId, {
        cron: source.schedule,
        timezone: settings.ROSTER_SCHEDULE_TIMEZONE,
      }),
    );
    districtIds.push(source.districtId);
  }
  // A district whose source was removed keeps no Schedule.
  await workflows.removeRosterApiSchedulesExcept(districtIds);
  return ids;
}

/**
 * The worker's start-up step: set up the drop-folder and OneRoster REST Schedules, or stop the
 * process with exit code 78 (configuration error) and a message naming the variable.
 */
export async function ensureRosterSchedulesAtStart(deps: {
  workflows: WorkflowGateway;
  db: Database;
  config: WorkerConfig;
  logger: Logger;
}): Promise<void> {
  const { config, db, workflows } = deps;
  try {
    const scheduleIds = [
      ...(await ensureRosterSchedules(workflows, db, config)),
      ...(await ensureRosterApiSchedules(workflows, db, config)),
    ];
    if (scheduleIds.length > 0) deps.logger.info({ scheduleIds }, 'roster schedules ready');
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`homeroom-worker: ${error.message}\n`);
    process.exit(78);
  }
}
