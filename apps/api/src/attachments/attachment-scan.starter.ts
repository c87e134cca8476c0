import { Inject, Injectable } from '@nestjs/common';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { scanRetryPolicy, startAttachmentScan } from '../../../../libs/attachments/scan-start';
import { type ApiConfig } from '../../../../libs/config/config';
import { UnavailableError } from '../../../../libs/domain/errors/domain-errors';
import { workflowIds } from '../../../../libs/adapters/temporal/workflow-ids';
import { API_CONFIG } from '../common/tokens';
import { TemporalClientService } from '../temporal/temporal-client.service';

/** An uploader waits this long at most for Temporal before the upload is undone with 503. */
const START_DEADLINE_MS = 5_000;

/**
 * Starts an upload's `attachment-scan-<id>` on the scan task queue with the configured retry policy. A
 * running scan is attached to and a finished one never runs again (only `homeroom attachments rescan`
 * runs one again).
 */
@Injectable()
export class AttachmentScanStarter {
  constructor(
    private readonly temporal: TemporalClientService,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async start(districtId: string, attachmentId: string): Promise<string> {
    try {
      return await this.temporal.connection.withDeadline(Date.now() + START_DEADLINE_MS, () =>
        startAttachmentScan(this.temporal.client, {
          taskQueue: this.temporal.scanTaskQueue,
          districtId,
          attachmentId,
          retry: scanRetryPolicy(this.config),
          runs: 'once',
        }),
      );
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError)
        return workflowIds.attachmentScan(attachmentId);
      throw new UnavailableError('The file cannot be scanned right now, so it was not kept. Try again.');
    }
  }
}
