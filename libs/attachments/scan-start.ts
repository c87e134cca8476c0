import { type Client } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { type AttachmentScanConfig } from '../config/config';
import { ATTACHMENT_ID, DISTRICT_ID } from '../adapters/temporal/search-attributes';
import { workflowIds } from '../adapters/temporal/workflow-ids';
import type { attachmentScanWorkflow, ScanRetryPolicy } from '../../workflows/attachment-scan.workflow';

export function scanRetryPolicy(config: AttachmentScanConfig): ScanRetryPolicy {
  return {
    initialIntervalMs: config.ATTACHMENT_SCAN_RETRY_INITIAL_SECONDS * 1_000,
    maximumIntervalMs: config.ATTACHMENT_SCAN_RETRY_MAX_SECONDS * 1_000,
    budgetMs: config.ATTACHMENT_SCAN_RETRY_HOURS * 3_600_000,
  };
}

export interface ScanStart {
  taskQueue: string;
  districtId: string;
  attachmentId: string;
  retry: ScanRetryPolicy;
  /**
   * An upload's scan runs once: a retried start attaches to it, and a finished one is never run again
   * (`once`). An operator's rescan of a file still unreleased runs it again under the same id (`again`).
   */
  runs: 'once' | 'again';
}

/**
 * Starts `attachment-scan-<id>` with ids and the retry policy only; operators find it in the Temporal
 * UI by DistrictId and AttachmentId. Throws WorkflowExecutionAlreadyStartedError for a scan that
 * already ran when `runs` is `once`.
 */
export async function startAttachmentScan(client: Client, start: ScanStart): Promise<string> {
  const workflowId = workflowIds.attachmentScan(start.attachmentId);
  await client.workflow.start<typeof attachmentScanWorkflow>('attachmentScanWorkflow', {
    taskQueue: start.taskQueue,
    workflowId,
    args: [{ districtId: start.districtId, attachmentId: start.attachmentId, retry: start.retry }],
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: start.runs === 'once' ? 'REJECT_DUPLICATE' : 'ALLOW_DUPLICATE',
    typedSearchAttributes: new TypedSearchAttributes([
      { key: DISTRICT_ID, value: start.districtId },
      { key: ATTACHMENT_ID, value: start.attachmentId },
    ]),
  });
  return workflowId;
}
