import { Inject, Injectable } from '@nestjs/common';
import { TypedSearchAttributes, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { type ApiConfig } from '../../../../libs/config/config';
import { UnavailableError } from '../../../../libs/errors/domain-errors';
import { ATTACHMENT_ID, DISTRICT_ID } from '../../../../libs/temporal/search-attributes';
import { workflowIds } from '../../../../libs/temporal/workflow-ids';
import type { attachmentScanWorkflow } from '../../../../workflows/attachment-scan.workflow';
import { API_CONFIG } from '../common/tokens';
import { TemporalClientService } from '../temporal/temporal-client.service';

/** An uploader waits this long at most for Temporal before the upload is undone with 503. */
const START_DEADLINE_MS = 5_000;

/**
 * Starts `attachment-scan-<id>` on the scan task queue with ids and the configured retry policy. A running scan is attached to
 * (USE_EXISTING) and a finished one never runs again (REJECT_DUPLICATE). Operators find it in the
 * Temporal UI by DistrictId and AttachmentId.
 */
@Injectable()
export class AttachmentScanStarter {
  constructor(
    private readonly temporal: TemporalClientService,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async start(districtId: string, attachmentId: string): Promise<string> {
    const workflowId = workflowIds.attachmentScan(attachmentId);
    try {
      await this.temporal.connection.withDeadline(Date.now() + START_DEADLINE_MS, () =>
        this.temporal.client.workflow.start<typeof attachmentScanWorkflow>('attachmentScanWorkflow', {
          taskQueue: this.temporal.scanTaskQueue,
          workflowId,
          args: [
            {
              districtId,
              attachmentId,
              retry: {
                initialIntervalMs: this.config.ATTACHMENT_SCAN_RETRY_INITIAL_SECONDS * 1_000,
                maximumIntervalMs: this.config.ATTACHMENT_SCAN_RETRY_MAX_SECONDS * 1_000,
                budgetMs: this.config.ATTACHMENT_SCAN_RETRY_HOURS * 3_600_000,
              },
            },
          ],
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: new TypedSearchAttributes([
            { key: DISTRICT_ID, value: districtId },
            { key: ATTACHMENT_ID, value: attachmentId },
          ]),
        }),
      );
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) return workflowId;
      throw new UnavailableError('The file cannot be scanned right now, so it was not kept. Try again.');
    }
    return workflowId;
  }
}
