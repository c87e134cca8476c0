import { ApplicationFailure } from '@temporalio/common';
import { ALERT_KINDS, SecurityAlerts } from '../libs/alerts/security-alerts';
import { attachmentAad } from '../libs/attachments/attachment-blobs';
import { type ClamdScanner } from '../libs/adapters/clamd/clamd-scanner';
import { DecryptionError, UnknownKeyError } from '../libs/crypto/errors';
import { type FieldCipher } from '../libs/crypto/envelope';
import { type Database } from '../libs/db/database';
import { type Logger } from '../libs/logging/logger';
import { type WorkerMetrics } from '../libs/logging/metrics';
import { BlobNotFoundError, type BlobStore, openEncryptedBlob } from '../libs/adapters/storage';

/** Every scan activity takes ids only (DESIGN.md invariant 4). */
export interface AttachmentRef {
  districtId: string;
  attachmentId: string;
}

export type ScanOutcome =
  /** Clean, and already released. */
  | { verdict: 'clean' }
  | { verdict: 'infected'; signature: string }
  /** The attachment was released or quarantined by an earlier run: nothing left to decide. */
  | { verdict: 'decided' }
  /** The attachment no longer exists (deleted as an orphan while waiting for the scanner). */
  | { verdict: 'gone' };

/** A blob that cannot be read back cannot be scanned by retrying; it stays unreleased. */
export const BLOB_UNREADABLE = 'BlobUnreadable';

export const QUARANTINE_ALERT = ALERT_KINDS.attachmentQuarantined;
export const SCANNER_UNAVAILABLE_ALERT = ALERT_KINDS.scannerUnavailable;
export const SCAN_FAILED_ALERT = ALERT_KINDS.attachmentScanFailed;

export interface AttachmentScanDeps {
  db: Database;
  fieldCipher: FieldCipher;
  blobStore: BlobStore;
  scanner: ClamdScanner;
  logger: Logger;
  metrics: WorkerMetrics;
}

export function createAttachmentScanActivities(deps: AttachmentScanDeps) {
  const { db, fieldCipher: keys, blobStore: store, scanner, logger, metrics } = deps;

  return {
    /**
     * Streams the decrypted blob to clamd and releases the file at once when clamd says it is clean
     * (one round trip less between upload and release). Fail closed: only clamd's explicit "OK" is
     * clean; no verdict (clamd down, timeout, cut stream) throws, and Temporal retries with backoff
     * while the attachment stays `scanning`. An infected verdict is returned for the quarantine
     * activity. Idempotent: releasing only ever moves a `scanning` file to `clean`.
     */
    async scanAttachment(ref: AttachmentRef): Promise<ScanOutcome> {
      const tenant = db.forDistrict(ref.districtId);
      const attachment = await tenant.attachments.find(ref.attachmentId);
      if (!attachment) return { verdict: 'gone' };
      if (attachment.status !== 'scanning') return { verdict: 'decided' };
      if (!attachment.storageKey) throw unreadable('the attachment has no stored blob', metrics);
      const stopTimer = metrics.scanDuration.startTimer();
      let plaintext;
      try {
        plaintext = await openEncryptedBlob(store, keys, {
          key: attachment.storageKey,
          aad: attachmentAad(attachment.id),
        });
      } catch (error) {
        if (error instanceof BlobNotFoundError || error instanceof UnknownKeyError) {
          throw unreadable(error.message, metrics);
        }
        throw error;
      }
      let streamError: Error | undefined;
      plaintext.once('error', (error: Error) => (streamError = error));
      let verdict;
      try {
        verdict = await scanner.scan(plaintext);
        if (streamError) throw streamError;
      } catch (error) {
        plaintext.destroy();
        const cause = streamError ?? error;
        if (cause instanceof DecryptionError || cause instanceof UnknownKeyError) {
          throw unreadable(cause.message, metrics);
        }
        stopTimer({ verdict: 'no_verdict' });
        metrics.scanVerdicts.inc({ verdict: 'no_verdict' });
        logger.warn({ attachmentId: ref.attachmentId, err: String(error) }, 'attachment scan got no verdict');
        throw error;
      }
      stopTimer({ verdict: verdict.verdict });
      metrics.scanVerdicts.inc({ verdict: verdict.verdict });
      if (verdict.verdict === 'infected') {
        return { verdict: 'infected', signature: verdict.signatures.join(', ').slice(0, 500) };
      }
      if (await tenant.attachments.markClean(ref.attachmentId, new Date())) {
        logger.info({ attachmentId: ref.attachmentId }, 'attachment released');
      }
      return { verdict: 'clean' };
    },

    /**
     * Destroys an infected file: the blob is deleted first, then status, audit event and alert are
     * written in one transaction. Idempotent: a retry deletes nothing twice, audits once (only the
     * transition from `scanning` is audited) and finds the alert already there.
     */
    async quarantineAttachment(
      ref: AttachmentRef & { signature: string },
    ): Promise<{ alertId: string | null }> {
      const attachment = await db.forDistrict(ref.districtId).attachments.find(ref.attachmentId);
      if (!attachment || attachment.status === 'clean') return { alertId: null };
      if (attachment.storageKey) await store.delete(attachment.storageKey);
      const alertId = await db.transaction(ref.districtId, async (tenant) => {
        const details = {
          signature: ref.signature,
          sha256: attachment.sha256,
          uploaderId: attachment.uploaderId,
        };
        if (await tenant.attachments.markQuarantined(ref.attachmentId, ref.signature, new Date())) {
          await tenant.audit.append({
            actorId: null,
            action: 'attachment.quarantined',
            targetType: 'attachment',
            targetId: ref.attachmentId,
            details,
          });
        }
        return new SecurityAlerts(tenant).attachmentQuarantined(ref.attachmentId, details);
      });
      logger.warn({ attachmentId: ref.attachmentId, signature: ref.signature }, 'attachment quarantined');
      return { alertId };
    },

    /** The operational alert once clamd stayed silent for the whole retry budget; the file stays unreleased. */
    async raiseAttachmentScanAlert(
      ref: AttachmentRef & {
        kind: typeof SCANNER_UNAVAILABLE_ALERT | typeof SCAN_FAILED_ALERT;
        retryBudgetMs: number;
      },
    ): Promise<{ alertId: string | null }> {
      const tenant = db.forDistrict(ref.districtId);
      const attachment = await tenant.attachments.find(ref.attachmentId);
      if (!attachment) return { alertId: null };
      const alertId = await new SecurityAlerts(tenant).attachmentScanProblem(ref.kind, ref.attachmentId, {
        status: attachment.status,
        retryBudgetMs: ref.retryBudgetMs,
      });
      return { alertId };
    },
  };
}

function unreadable(message: string, metrics: WorkerMetrics): ApplicationFailure {
  metrics.scanVerdicts.inc({ verdict: 'unreadable' });
  return ApplicationFailure.nonRetryable(`the attachment blob cannot be read: ${message}`, BLOB_UNREADABLE);
}

export type AttachmentScanActivities = ReturnType<typeof createAttachmentScanActivities>;
