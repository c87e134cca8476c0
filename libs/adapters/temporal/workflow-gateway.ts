import {
  Client,
  type ConnectionLike,
  ScheduleAlreadyRunning,
  type ScheduleOptions,
  type ScheduleOptionsStartWorkflowAction,
  ScheduleOverlapPolicy,
  WorkflowNotFoundError,
  type WorkflowStartOptions,
} from '@temporalio/client';
import {
  type SearchAttributePair,
  TypedSearchAttributes,
  type Workflow,
  WorkflowExecutionAlreadyStartedError,
} from '@temporalio/common';
import { type ScanRetryPolicy } from '../../config/scan-retry';
import { type TemporalConfig } from '../../config/config';
import type { RosterImportProgress } from '../../domain/roster-import/phases';
import type { alertDeliveryWorkflow, AlertDeliveryRetry } from '../../../workflows/alert-delivery.workflow';
import type { announcementFanOutWorkflow } from '../../../workflows/announcement-fan-out.workflow';
import type { attachmentRetentionWorkflow } from '../../../workflows/attachment-retention.workflow';
import type { attachmentScanWorkflow } from '../../../workflows/attachment-scan.workflow';
import type { rosterApiWorkflow } from '../../../workflows/roster-api.workflow';
import type { rosterDropFolderWorkflow } from '../../../workflows/roster-drop-folder.workflow';
import type { rosterImportWorkflow } from '../../../workflows/roster-import.workflow';
import type { translationWorkflow } from '../../../workflows/translation.workflow';
import { createDataConverter } from './data-converter';
import {
  ANNOUNCEMENT_ID,
  ATTACHMENT_ID,
  DISTRICT_ID,
  ROSTER_IMPORT_ID,
} from './workflow-safe/search-attributes';
import { queryNames, scheduleIds, workflowIds } from './workflow-safe/workflow-ids';
import { type WorkflowState } from './workflow-state';

/**
 * The workflows a client starts, by type name. Typed by the workflow functions (types only: no
 * library loads workflow code), so a changed workflow signature fails to compile here.
 */
interface StartableWorkflows {
  announcementFanOutWorkflow: typeof announcementFanOutWorkflow;
  alertDeliveryWorkflow: typeof alertDeliveryWorkflow;
  attachmentScanWorkflow: typeof attachmentScanWorkflow;
  attachmentRetentionWorkflow: typeof attachmentRetentionWorkflow;
  rosterImportWorkflow: typeof rosterImportWorkflow;
  rosterDropFolderWorkflow: typeof rosterDropFolderWorkflow;
  rosterApiWorkflow: typeof rosterApiWorkflow;
  translationWorkflow: typeof translationWorkflow;
}

/**
 * What a start does when its id is already taken. `once`: a running workflow is attached to and one
 * that already ran is never run again, so a retried request cannot do the work twice. `again`: a
 * running workflow is attached to, one that finished runs again under the same id (work that is
 * safe to repeat: translation fills only what is missing, an operator's rescan).
 */
export type StartRuns = 'once' | 'again';

const START_POLICIES = {
  once: { workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'REJECT_DUPLICATE' },
  again: { workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'ALLOW_DUPLICATE' },
} as const;

export interface WorkflowGatewayOptions {
  /** The main queue (workflows, database activities) and the scan queue. */
  taskQueues: { main: string; scan: string };
  /**
   * How long a start or cancel waits for the server at most. The API sets it: a request waits a few
   * seconds and answers 503, instead of the client's own reconnect attempts (about twenty seconds).
   */
  deadlineMs?: number;
}

/** When a Schedule fires: a cron expression read in a time zone. */
interface ScheduleTiming {
  cron: string;
  timezone: string;
}

type ScheduleDefinition<W extends Workflow> = Omit<
  ScheduleOptions<ScheduleOptionsStartWorkflowAction<W>>,
  'scheduleId'
>;

/**
 * The one place that talks to Temporal about workflows: every start, Schedule, signal, query and
 * cancel. It owns the workflow ids (workflow-ids.ts), id reuse and conflict policies, search
 * attributes (ids only, never names or text), task queues and the payload codec of the client it is
 * built on. Callers pass domain ids; whether an id already ran decides what a start does
 * ({@link StartRuns}), and a start always answers the workflow id, whether it started or found it.
 * Errors of an unreachable server are left to the caller, which knows what its user should be told.
 */
export class WorkflowGateway {
  constructor(
    private readonly client: Client,
    private readonly options: WorkflowGatewayOptions,
  ) {}

  /** The gateway over `connection`, on the configured namespace and task queues. */
  static over(connection: ConnectionLike, config: TemporalConfig, deadlineMs?: number): WorkflowGateway {
    return WorkflowGateway.on(workflowClient(connection, config), config, deadlineMs);
  }

  /** The gateway on an existing client of {@link workflowClient}. */
  static on(client: Client, config: TemporalConfig, deadlineMs?: number): WorkflowGateway {
    return new WorkflowGateway(client, {
      taskQueues: { main: config.TEMPORAL_TASK_QUEUE, scan: config.TEMPORAL_SCAN_TASK_QUEUE },
      deadlineMs,
    });
  }

  /** The durable fan-out of an announcement; a retried post attaches to it and never fans out twice. */
  startAnnouncementFanOut(ref: { districtId: string; announcementId: string }): Promise<string> {
    return this.start('announcementFanOutWorkflow', {
      workflowId: workflowIds.announcement(ref.announcementId),
      taskQueue: this.options.taskQueues.main,
      args: [{ districtId: ref.districtId, announcementId: ref.announcementId }],
      runs: 'once',
      searchAttributes: [
        { key: DISTRICT_ID, value: ref.districtId },
        { key: ANNOUNCEMENT_ID, value: ref.announcementId },
      ],
    });
  }

  /**
   * Asks an announcement's fan-out to stop (a retraction). A fan-out that already finished, or never
   * started, has nothing to stop.
   */
  async cancelAnnouncementFanOut(announcementId: string): Promise<void> {
    try {
      await this.withDeadline(() =>
        this.client.workflow.getHandle(workflowIds.announcement(announcementId)).cancel(),
      );
    } catch (error) {
      if (error instanceof WorkflowNotFoundError || isAlreadyClosed(error)) return;
      throw error;
    }
  }

  /** Hands one stored alert to the webhook, with backoff; an alert is delivered by one workflow only. */
  startAlertDelivery(
    ref: { districtId: string; alertId: string },
    retry: AlertDeliveryRetry,
  ): Promise<string> {
    return this.start('alertDeliveryWorkflow', {
      workflowId: workflowIds.alertDelivery(ref.alertId),
      taskQueue: this.options.taskQueues.main,
      args: [{ districtId: ref.districtId, alertId: ref.alertId, retry }],
      runs: 'once',
      searchAttributes: [{ key: DISTRICT_ID, value: ref.districtId }],
    });
  }

  /**
   * An upload's scan, on the scan queue. An upload is scanned `once`; an operator's rescan of a file
   * still unreleased runs it `again`.
   */
  startAttachmentScan(
    ref: { districtId: string; attachmentId: string },
    scan: { retry: ScanRetryPolicy; runs: StartRuns },
  ): Promise<string> {
    return this.start('attachmentScanWorkflow', {
      workflowId: workflowIds.attachmentScan(ref.attachmentId),
      taskQueue: this.options.taskQueues.scan,
      args: [{ districtId: ref.districtId, attachmentId: ref.attachmentId, retry: scan.retry }],
      runs: scan.runs,
      searchAttributes: [
        { key: DISTRICT_ID, value: ref.districtId },
        { key: ATTACHMENT_ID, value: ref.attachmentId },
      ],
    });
  }

  /** Where an attachment's scan stands (an operator's rescan leaves a running one alone). */
  attachmentScanState(attachmentId: string): Promise<WorkflowState> {
    return this.workflowState(workflowIds.attachmentScan(attachmentId));
  }

  /**
   * Translation of one message or announcement. A run that already finished may run again: it finds
   * the stored translations and asks the provider only for languages still missing.
   */
  startTranslation(ref: {
    districtId: string;
    subjectKind: 'message' | 'announcement';
    subjectId: string;
  }): Promise<string> {
    return this.start('translationWorkflow', {
      workflowId: workflowIds.translation(ref.subjectKind, ref.subjectId),
      taskQueue: this.options.taskQueues.main,
      args: [{ districtId: ref.districtId, subjectKind: ref.subjectKind, subjectId: ref.subjectId }],
      runs: 'again',
      searchAttributes: [{ key: DISTRICT_ID, value: ref.districtId }],
    });
  }

  /** A staged roster import (`roster-<districtId>-<importId>`); one import id runs once. */
  startRosterImport(ref: { districtId: string; importId: string }): Promise<string> {
    return this.start('rosterImportWorkflow', {
      workflowId: workflowIds.roster(ref.districtId, ref.importId),
      taskQueue: this.options.taskQueues.main,
      args: [{ districtId: ref.districtId, importId: ref.importId }],
      runs: 'once',
      searchAttributes: rosterSearchAttributes(ref),
    });
  }

  /**
   * The run that applies a held import once an admin confirmed it, under the id recorded with the
   * confirmation ({@link workflowIds.rosterConfirmed}); each hold is confirmed once.
   */
  startConfirmedRosterImport(ref: { districtId: string; importId: string }, heldAt: Date): Promise<string> {
    return this.start('rosterImportWorkflow', {
      workflowId: workflowIds.rosterConfirmed(ref.districtId, ref.importId, heldAt),
      taskQueue: this.options.taskQueues.main,
      args: [{ districtId: ref.districtId, importId: ref.importId, confirmed: true }],
      runs: 'once',
      searchAttributes: rosterSearchAttributes(ref),
    });
  }

  /** A roster import's own progress; null when no worker answers within `timeoutMs`. */
  async rosterImportProgress(workflowId: string, timeoutMs: number): Promise<RosterImportProgress | null> {
    try {
      return await this.client.withDeadline(Date.now() + timeoutMs, () =>
        this.client.workflow
          .getHandle(workflowId)
          .query<RosterImportProgress>(queryNames.rosterImportProgress),
      );
    } catch {
      return null;
    }
  }

  /** Where a workflow stands as the server knows it; other failures (server down) are thrown. */
  async workflowState(workflowId: string): Promise<WorkflowState> {
    try {
      const description = await this.client.workflow.getHandle(workflowId).describe();
      return description.status.name === 'RUNNING' ? 'running' : 'closed';
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return 'not-found';
      throw error;
    }
  }

  /**
   * The orphaned-upload sweep's Schedule, one per task queue. Runs never overlap, missed runs are made
   * up for an hour at most, and a run nobody picks up expires after an hour.
   */
  async ensureAttachmentRetentionSchedule(everyMinutes: number): Promise<string> {
    const taskQueue = this.options.taskQueues.main;
    const scheduleId = scheduleIds.attachmentRetention(taskQueue);
    await this.upsertSchedule<typeof attachmentRetentionWorkflow>(scheduleId, {
      spec: { intervals: [{ every: Math.round(everyMinutes * 60_000) }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'attachmentRetentionWorkflow',
        args: [],
        taskQueue,
        workflowId: scheduleId,
        workflowExecutionTimeout: '1 hour',
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
    });
    return scheduleId;
  }

  /** A district's drop-folder Schedule (`roster-schedule-<districtId>`). */
  async ensureRosterDropFolderSchedule(districtId: string, timing: ScheduleTiming): Promise<string> {
    const scheduleId = scheduleIds.rosterDropFolder(districtId);
    await this.upsertSchedule<typeof rosterDropFolderWorkflow>(scheduleId, {
      spec: { cronExpressions: [timing.cron], timezone: timing.timezone },
      action: {
        type: 'startWorkflow',
        workflowType: 'rosterDropFolderWorkflow',
        args: [{ districtId }],
        taskQueue: this.options.taskQueues.main,
        workflowId: workflowIds.rosterDropFolder(districtId),
        typedSearchAttributes: [{ key: DISTRICT_ID, value: districtId }],
      },
      policies: ROSTER_SCHEDULE_POLICIES,
    });
    return scheduleId;
  }

  /** A district's OneRoster REST Schedule (`roster-api-schedule-<districtId>`). */
  async ensureRosterApiSchedule(districtId: string, timing: ScheduleTiming): Promise<string> {
    const scheduleId = scheduleIds.rosterApi(districtId);
    await this.upsertSchedule<typeof rosterApiWorkflow>(scheduleId, {
      spec: { cronExpressions: [timing.cron], timezone: timing.timezone },
      action: {
        type: 'startWorkflow',
        workflowType: 'rosterApiWorkflow',
        args: [{ districtId }],
        taskQueue: this.options.taskQueues.main,
        workflowId: workflowIds.rosterApi(districtId),
        typedSearchAttributes: [{ key: DISTRICT_ID, value: districtId }],
      },
      policies: ROSTER_SCHEDULE_POLICIES,
    });
    return scheduleId;
  }

  /** Deletes the OneRoster REST Schedules of every district not in `keep`; returns the deleted ids. */
  async removeRosterApiSchedulesExcept(keep: readonly string[]): Promise<string[]> {
    const kept = new Set(keep.map((districtId) => scheduleIds.rosterApi(districtId)));
    const prefix = scheduleIds.rosterApi('');
    const removed: string[] = [];
    for await (const schedule of this.client.schedule.list()) {
      const { scheduleId } = schedule;
      if (!scheduleId.startsWith(prefix) || kept.has(scheduleId)) continue;
      await this.client.schedule.getHandle(scheduleId).delete();
      removed.push(scheduleId);
    }
    return removed;
  }

  private async start<K extends keyof StartableWorkflows>(
    workflowType: K,
    start: {
      workflowId: string;
      taskQueue: string;
      args: Parameters<StartableWorkflows[K]>;
      runs: StartRuns;
      searchAttributes: SearchAttributePair[];
    },
  ): Promise<string> {
    // Parameters<W> of a type chosen by K does not narrow to the tuple WorkflowStartOptions asks for.
    const options = {
      taskQueue: start.taskQueue,
      workflowId: start.workflowId,
      args: start.args,
      ...START_POLICIES[start.runs],
      typedSearchAttributes: new TypedSearchAttributes(start.searchAttributes),
    } as WorkflowStartOptions<StartableWorkflows[K]>;
    try {
      await this.withDeadline(() => this.client.workflow.start<StartableWorkflows[K]>(workflowType, options));
    } catch (error) {
      // Only a `once` start refuses an id that ran; the work is done, so the caller gets its id.
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
    return start.workflowId;
  }

  /**
   * Creates the Schedule, or brings an existing one up to this definition while keeping its state (an
   * operator's pause survives a worker restart). Every worker start runs this, so it is idempotent.
   */
  private async upsertSchedule<W extends Workflow>(
    scheduleId: string,
    definition: ScheduleDefinition<W>,
  ): Promise<void> {
    try {
      await this.client.schedule.create({ scheduleId, ...definition });
    } catch (error) {
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
      await this.client.schedule
        .getHandle(scheduleId)
        .update((previous) => ({ ...definition, state: previous.state }));
    }
  }

  private withDeadline<T>(call: () => Promise<T>): Promise<T> {
    const { deadlineMs } = this.options;
    return deadlineMs === undefined ? call() : this.client.withDeadline(Date.now() + deadlineMs, call);
  }
}

/**
 * A client on the configured namespace with the project's data converter, so every payload it writes
 * to or reads from the server's history is encrypted (libs/temporal/data-converter.ts).
 */
export function workflowClient(connection: ConnectionLike, config: TemporalConfig): Client {
  return new Client({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    dataConverter: createDataConverter(config),
  });
}

/**
 * A nightly import still running when the next is due is not doubled; after an outage, only a run
 * missed within the last hour is made up (the default would replay a year).
 */
const ROSTER_SCHEDULE_POLICIES = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' } as const;

function rosterSearchAttributes(ref: { districtId: string; importId: string }): SearchAttributePair[] {
  return [
    { key: DISTRICT_ID, value: ref.districtId },
    { key: ROSTER_IMPORT_ID, value: ref.importId },
  ];
}

/** Cancelling a closed workflow is refused by the server with FAILED_PRECONDITION-like errors. */
function isAlreadyClosed(error: unknown): boolean {
  return error instanceof Error && /already completed|not running|already closed/i.test(error.message);
}
