import { ActivityFailure, ApplicationFailure, log, proxyActivities } from '@temporalio/workflow';
import type { AlertActivities } from '../activities/alert.activities';
import type {
  AttachmentRef,
  AttachmentScanActivities,
  ScanOutcome,
} from '../activities/attachment-scan.activities';
import type { ScanRetryPolicy } from '../libs/config/scan-retry';

/** Ids and the retry policy: never names or content. */
export interface AttachmentScanInput extends AttachmentRef {
  retry: ScanRetryPolicy;
}

export interface AttachmentScanResult {
  status: 'clean' | 'quarantined' | 'scanning' | 'decided' | 'gone';
  alertId?: string | null;
}

// Kept in step with activities/attachment-scan.activities.ts, which workflows may import types from only.
const BLOB_UNREADABLE = 'BlobUnreadable';

/** Database writes: retried until they succeed, with backoff, so a database outage only delays. */
const records = proxyActivities<AttachmentScanActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/** Notifications: a webhook that stays down does not keep the workflow open for ever. */
const notifications = proxyActivities<AlertActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes', maximumAttempts: 10 },
});

/**
 * Scan-and-release of one upload (`attachment-scan-<id>`), on the scan task queue. Fail closed: the
 * attachment stays `scanning` — no link can be issued — until clamd gives an explicit verdict. While
 * clamd is unreachable the scan activity is retried with backoff for the configured budget; after
 * that the file stays unreleased and an operational alert is raised. Clean releases (within the scan
 * activity); infected destroys the blob, quarantines, audits and alerts once. Input and results are
 * ids (and the retry policy's durations).
 */
export async function attachmentScanWorkflow(input: AttachmentScanInput): Promise<AttachmentScanResult> {
  const ref: AttachmentRef = { districtId: input.districtId, attachmentId: input.attachmentId };
  const { scanAttachment } = proxyActivities<AttachmentScanActivities>({
    startToCloseTimeout: '5 minutes',
    scheduleToCloseTimeout: input.retry.budgetMs,
    retry: {
      initialInterval: input.retry.initialIntervalMs,
      maximumInterval: input.retry.maximumIntervalMs,
      backoffCoefficient: 2,
      nonRetryableErrorTypes: [BLOB_UNREADABLE],
    },
  });

  let outcome: ScanOutcome;
  try {
    outcome = await scanAttachment(ref);
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    const unreadable = error.cause instanceof ApplicationFailure && error.cause.type === BLOB_UNREADABLE;
    const kind = unreadable ? 'attachment_scan_failed' : 'scanner_unavailable';
    log.warn('attachment scan gave up without a verdict', { attachmentId: ref.attachmentId, kind });
    const { alertId } = await records.raiseAttachmentScanAlert({
      ...ref,
      kind,
      retryBudgetMs: input.retry.budgetMs,
    });
    await deliver(ref.districtId, alertId);
    return { status: 'scanning', alertId };
  }

  switch (outcome.verdict) {
    case 'clean':
      return { status: 'clean' };
    case 'infected': {
      const { alertId } = await records.quarantineAttachment({ ...ref, signature: outcome.signature });
      await deliver(ref.districtId, alertId);
      return { status: 'quarantined', alertId };
    }
    default:
      return { status: outcome.verdict };
  }
}

async function deliver(districtId: string, alertId: string | null): Promise<void> {
  if (!alertId) return;
  try {
    await notifications.deliverSecurityAlert({ districtId, alertId });
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    log.error('security alert could not be delivered to the webhook; it stays listed', { alertId });
  }
}
