import { upsertSchedule } from '../adapters/temporal/schedules';
import {
  type Client,
  type ScheduleOptions,
  type ScheduleOptionsStartWorkflowAction,
  ScheduleOverlapPolicy,
} from '@temporalio/client';
import { type Workflow } from '@temporalio/common';

export interface RetentionScheduleOptions {
  taskQueue: string;
  everyMinutes: number;
}

/** One schedule per task queue, so two installations sharing a namespace never redirect each other's. */
export function attachmentRetentionScheduleId(taskQueue: string): string {
  return `attachment-retention-${taskQueue}`;
}

/**
 * Creates the Temporal Schedule that runs the orphaned-upload sweep, or brings an existing one up to
 * date with the configuration: every worker start calls it, so it is idempotent. Runs never overlap,
 * missed runs are caught up for an hour at most, and a run nobody picks up expires after an hour.
 */
export async function ensureAttachmentRetentionSchedule(
  client: Client,
  options: RetentionScheduleOptions,
): Promise<string> {
  const scheduleId = attachmentRetentionScheduleId(options.taskQueue);
  const definition: Omit<ScheduleOptions<ScheduleOptionsStartWorkflowAction<Workflow>>, 'scheduleId'> = {
    spec: { intervals: [{ every: Math.round(options.everyMinutes * 60_000) }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'attachmentRetentionWorkflow',
      args: [],
      taskQueue: options.taskQueue,
      workflowId: scheduleId,
      workflowExecutionTimeout: '1 hour',
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
  };
  await upsertSchedule(client, scheduleId, definition);
  return scheduleId;
}
