import {
  type Client,
  ScheduleAlreadyRunning,
  type ScheduleOptions,
  type ScheduleOptionsStartWorkflowAction,
} from '@temporalio/client';
import { type Workflow } from '@temporalio/common';

export type ScheduleDefinition<W extends Workflow = Workflow> = Omit<
  ScheduleOptions<ScheduleOptionsStartWorkflowAction<W>>,
  'scheduleId'
>;

/**
 * Creates the Schedule, or brings an existing one up to this definition while keeping its state (an
 * operator's pause survives a worker restart). Every worker start runs this, so it must be idempotent.
 */
export async function upsertSchedule<W extends Workflow>(
  client: Client,
  scheduleId: string,
  definition: ScheduleDefinition<W>,
): Promise<void> {
  try {
    await client.schedule.create({ scheduleId, ...definition });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await client.schedule
      .getHandle(scheduleId)
      .update((previous) => ({ ...definition, state: previous.state }));
  }
}
