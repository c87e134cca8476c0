import { Injectable } from '@nestjs/common';
import { UnavailableError } from '../../../../libs/domain/errors/domain-errors';
import { WorkflowGateway } from '../../../../libs/adapters/temporal/workflow-gateway';

/**
 * Starts and stops the durable fan-out of an announcement. A retried POST attaches to the running
 * fan-out and a finished one never runs again, so an announcement cannot fan out twice; a Temporal
 * that does not answer within the gateway's deadline is a 503 (retry with the same key).
 */
@Injectable()
export class AnnouncementFanOutStarter {
  constructor(private readonly workflows: WorkflowGateway) {}

  async start(districtId: string, announcementId: string): Promise<string> {
    try {
      return await this.workflows.startAnnouncementFanOut({ districtId, announcementId });
    } catch {
      throw new UnavailableError('The announcement could not be sent right now. Try again.');
    }
  }

  /**
   * Asks the fan-out to stop (a retraction). Batches in flight are cancelled; whatever they still write
   * is invisible to recipients because the announcement is retracted. A fan-out that already finished
   * has nothing to stop.
   */
  async cancel(announcementId: string): Promise<void> {
    try {
      await this.workflows.cancelAnnouncementFanOut(announcementId);
    } catch {
      throw new UnavailableError('The announcement is retracted, but its delivery could not be stopped yet.');
    }
  }
}
