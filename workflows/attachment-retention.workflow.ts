import { proxyActivities } from '@temporalio/workflow';
import type {
  AttachmentRetentionActivities,
  RetentionSweepResult,
} from '../activities/attachment-retention.activities';

const { sweepOrphanedAttachments } = proxyActivities<AttachmentRetentionActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '10 seconds', maximumInterval: '5 minutes', maximumAttempts: 5 },
});

/**
 * One retention pass, started by the `attachment-retention` Temporal Schedule: deletes uploads never
 * attached to anything once older than the configured age, and expired download links. Quarantined
 * blobs need no sweep: the scan workflow deletes them at once.
 */
export async function attachmentRetentionWorkflow(): Promise<RetentionSweepResult> {
  return sweepOrphanedAttachments();
}
