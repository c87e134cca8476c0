import { Inject, Injectable } from '@nestjs/common';
import { scanRetryPolicy } from '../../../../libs/config/scan-retry';
import { type ApiConfig } from '../../../../libs/config/config';
import { UnavailableError } from '../../../../libs/domain/errors/domain-errors';
import { WorkflowGateway } from '../../../../libs/adapters/temporal/workflow-gateway';
import { API_CONFIG } from '../common/tokens';

/**
 * Starts an upload's scan with the configured retry policy. A running scan is attached to and a
 * finished one never runs again (only `homeroom attachments rescan` runs one again). A Temporal that
 * does not take it within the gateway's deadline undoes the upload with 503.
 */
@Injectable()
export class AttachmentScanStarter {
  constructor(
    private readonly workflows: WorkflowGateway,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async start(districtId: string, attachmentId: string): Promise<string> {
    try {
      return await this.workflows.startAttachmentScan(
        { districtId, attachmentId },
        { retry: scanRetryPolicy(this.config), runs: 'once' },
      );
    } catch {
      throw new UnavailableError('The file cannot be scanned right now, so it was not kept. Try again.');
    }
  }
}
