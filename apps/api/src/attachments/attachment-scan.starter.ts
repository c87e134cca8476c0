import { Injectable } from '@nestjs/common';
import { TypedSearchAttributes, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { UnavailableError } from '../../../../libs/errors/domain-errors';
import { ATTACHMENT_ID, DISTRICT_ID } from '../../../../libs/temporal/search-attributes';
import { workflowIds } from '../../../../libs/temporal/workflow-ids';
import type { attachmentScanWorkflow } from '../../../../workflows/attachment-scan.workflow';
import { TemporalClientService } from '../temporal/temporal-client.service';

/**
 * Starts `attachment-scan-<id>` on the scan task queue with ids only. A running scan is attached to
 * (USE_EXISTING) and a finished one never runs again (REJECT_DUPLICATE). Operators find it in the
 * Temporal UI by DistrictId and AttachmentId.
 */
@Injectable()
export class AttachmentScanStarter {
  constructor(private readonly temporal: TemporalClientService) {}

  async start(districtId: string, attachmentId: string): Promise<string> {
    const workflowId = workflowIds.attachmentScan(attachmentId);
    try {
      await this.temporal.client.workflow.start<typeof attachmentScanWorkflow>('attachmentScanWorkflow', {
        taskQueue: this.temporal.scanTaskQueue,
        workflowId,
        args: [{ districtId, attachmentId }],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: new TypedSearchAttributes([
          { key: DISTRICT_ID, value: districtId },
          { key: ATTACHMENT_ID, value: attachmentId },
        ]),
      });
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) return workflowId;
      throw new UnavailableError('The file cannot be scanned right now, so it was not kept. Try again.');
    }
    return workflowId;
  }
}
