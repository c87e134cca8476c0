import { type AlertSink } from '../libs/alerts/alert-sink';
import { type ClamdScanner } from '../libs/adapters/clamd/clamd-scanner';
import { type TranslationProvider } from '../libs/adapters/translate/translation-provider';
import { type WorkerConfig } from '../libs/config/config';
import { type FieldCipher } from '../libs/crypto/envelope';
import { type Database } from '../libs/db/database';
import { type Logger } from '../libs/logging/logger';
import { type WorkerMetrics } from '../libs/logging/metrics';
import { type WorkflowStateLookup } from '../libs/roster-import/one-import-at-a-time';
import { type BlobStore } from '../libs/adapters/storage/blob-store';
import { createAlertActivities } from './alert.activities';
import { createAnnouncementActivities } from './announcement.activities';
import { createAttachmentRetentionActivities } from './attachment-retention.activities';
import { createAttachmentScanActivities } from './attachment-scan.activities';
import { createDiagnosticsActivities } from './diagnostics.activities';
import { createRosterApiActivities } from './roster-api.activities';
import { createRosterImportActivities } from './roster-import.activities';
import { createTranslationActivities } from './translation.activities';

/** Everything activities touch, built once by the worker's composition root (and by tests). */
export interface ActivityDeps {
  config: WorkerConfig;
  db: Database;
  fieldCipher: FieldCipher;
  blobStore: BlobStore;
  /** clamd, which gives the scan verdicts. */
  scanner: ClamdScanner;
  /** The configured translation provider (AWS Translate, or the labelled local one). */
  translationProvider: TranslationProvider;
  /** Stores security alerts and posts them to the district's webhook. */
  alerts: AlertSink;
  logger: Logger;
  /** Fan-out deliveries and scan outcomes, served on the worker's operator listener. */
  metrics: WorkerMetrics;
  /** Where a workflow stands, from the worker's workflow gateway. */
  workflowState: WorkflowStateLookup;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createDiagnosticsActivities(),
    ...createRosterImportActivities(deps),
    ...createRosterApiActivities(deps),
    ...createAnnouncementActivities(deps),
    ...createAttachmentScanActivities(deps),
    ...createAttachmentRetentionActivities(deps),
    ...createTranslationActivities(deps),
    ...createAlertActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
