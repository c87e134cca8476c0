import { type AttachmentScanConfig } from '../config/config';

/** How long and how often the scan is retried while clamd gives no verdict (API configuration). */
export interface ScanRetryPolicy {
  initialIntervalMs: number;
  maximumIntervalMs: number;
  /** After this long without a verdict: the operational alert, the file still unreleased. */
  budgetMs: number;
}

export function scanRetryPolicy(config: AttachmentScanConfig): ScanRetryPolicy {
  return {
    initialIntervalMs: config.ATTACHMENT_SCAN_RETRY_INITIAL_SECONDS * 1_000,
    maximumIntervalMs: config.ATTACHMENT_SCAN_RETRY_MAX_SECONDS * 1_000,
    budgetMs: config.ATTACHMENT_SCAN_RETRY_HOURS * 3_600_000,
  };
}
