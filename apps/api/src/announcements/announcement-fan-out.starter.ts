import { Injectable } from '@nestjs/common';
import { WorkflowNotFoundError } from '@temporalio/client';
import { TypedSearchAttributes, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { UnavailableError } from '../../../../libs/domain/errors/domain-errors';
import { ANNOUNCEMENT_ID, DISTRICT_ID } from '../../../../libs/adapters/temporal/search-attributes';
import { workflowIds } from '../../../../libs/adapters/temporal/workflow-ids';
import type { announcementFanOutWorkflow } from '../../../../workflows/announcement-fan-out.workflow';
import { TemporalClientService } from '../temporal/temporal-client.service';

/** A poster waits this long at most for Temporal before the answer is 503 (retry with the same key). */
const START_DEADLINE_MS = 5_000;

/**
 * Starts the durable fan-out of an announcement. The workflow id is the announcement's, a running one
 * is attached to (USE_EXISTING) and a finished one is never run again (REJECT_DUPLICATE): a retried
 * POST cannot fan out twice. Operators find it in the Temporal UI by DistrictId and AnnouncementId.
 */
@Injectable()
export class AnnouncementFanOutStarter {
  constructor(private readonly temporal: TemporalClientService) {}

  async start(districtId: string, announcementId: string): Promise<string> {
    const workflowId = workflowIds.announcement(announcementId);
    try {
      await this.temporal.connection.withDeadline(Date.now() + START_DEADLINE_MS, () =>
        this.temporal.client.workflow.start<typeof announcementFanOutWorkflow>('announcementFanOutWorkflow', {
          taskQueue: this.temporal.taskQueue,
          workflowId,
          args: [{ districtId, announcementId }],
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: new TypedSearchAttributes([
            { key: DISTRICT_ID, value: districtId },
            { key: ANNOUNCEMENT_ID, value: announcementId },
          ]),
        }),
      );
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) return workflowId;
      throw new UnavailableError('The announcement could not be sent right now. Try again.');
    }
    return workflowId;
  }

  /**
   * Asks the fan-out to stop (a retraction). Batches in flight are cancelled; whatever they still write
   * is invisible to recipients because the announcement is retracted. A fan-out that already finished
   * has nothing to stop.
   */
  async cancel(announcementId: string): Promise<void> {
    try {
      await this.temporal.client.workflow.getHandle(workflowIds.announcement(announcementId)).cancel();
    } catch (error) {
      if (error instanceof WorkflowNotFoundError || isAlreadyClosed(error)) return;
      throw new UnavailableError('The announcement is retracted, but its delivery could not be stopped yet.');
    }
  }
}

/** Cancelling a closed workflow is refused by the server with FAILED_PRECONDITION-like errors. */
function isAlreadyClosed(error: unknown): boolean {
  return error instanceof Error && /already completed|not running|already closed/i.test(error.message);
}
