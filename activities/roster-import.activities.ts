import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { type WorkerConfig } from '../libs/config/config';
import { type FieldCipher } from '../libs/crypto/envelope';
import { type Database } from '../libs/db/database';
import { type AlertSink } from '../libs/alerts/alert-sink';
import { type Logger } from '../libs/logging/logger';
import {
  type DropFolderStaging,
  ROSTER_EXPORT_INVALID,
  ROSTER_IMPORT_UNAVAILABLE,
  RosterExportNotZipError,
  RosterExportTooLargeError,
  RosterImporter,
  type RosterApplyPhase,
  type RosterImportCounts,
  type RosterDecision,
  type RosterImportInput,
  type RosterImportOutcome,
  type RosterImportWorkflowInput,
  RosterImportUnavailableError,
  RosterSnapshotSource,
  stageDropFolderExport,
  refusingWhenUnavailable,
  type WorkflowStateLookup,
} from '../libs/roster-import';
import { type BlobStore } from '../libs/adapters/storage';

export interface RosterImportActivityDeps {
  config: WorkerConfig;
  db: Database;
  fieldCipher: FieldCipher;
  blobStore: BlobStore;
  alerts: AlertSink;
  logger: Logger;
  /** Where an earlier import's workflow stands (the worker's workflow gateway). */
  workflowState: WorkflowStateLookup;
}

/**
 * The roster import's activities. Inputs and results are ids, phase names and counts; the export
 * itself is read from storage inside each activity and never enters a workflow history.
 */
export function createRosterImportActivities(deps: RosterImportActivityDeps) {
  const { config, logger } = deps;
  const { db, fieldCipher: keys, blobStore: store } = deps;
  const workflowState = refusingWhenUnavailable(deps.workflowState);
  const snapshots = new RosterSnapshotSource({ db, store, keys });
  const importer = new RosterImporter({ db, store, snapshots });
  const folders = new Map(config.ROSTER_DROP_FOLDERS.map((entry) => [entry.districtId, entry.folder]));
  const heartbeat = () => Context.current().heartbeat();
  const { alerts } = deps;

  const apply =
    (phase: RosterApplyPhase) =>
    async (input: RosterImportInput): Promise<RosterImportCounts> => {
      const counts = await unlessUnavailable(() => importer.applyPhase(input, phase, heartbeat));
      logger.info(
        { districtId: input.districtId, importId: input.importId, phase, counts },
        'roster phase applied',
      );
      return counts;
    };

  return {
    /**
     * Parses the export and checks it against the database. A refused export is recorded on the
     * import (errors capped, with their total) and fails with a non-retryable ROSTER_EXPORT_INVALID.
     */
    async validateRosterImport(
      input: RosterImportWorkflowInput,
    ): Promise<{ kind: 'bulk' | 'delta'; decision: RosterDecision }> {
      heartbeat();
      const ref = { districtId: input.districtId, importId: input.importId };
      const verdict = await unlessUnavailable(() => importer.validate(ref, input.confirmed === true));
      if (!verdict.ok) {
        throw ApplicationFailure.create({
          type: ROSTER_EXPORT_INVALID,
          message: `the roster export has ${verdict.errorCount} error(s)`,
          nonRetryable: true,
          details: [{ errorCount: verdict.errorCount }],
        });
      }
      if (verdict.heldAlertId) {
        logger.warn({ ...ref, alertId: verdict.heldAlertId }, 'roster import held as a mass change');
        // The alert is stored with the hold; the webhook is only a notification and must not fail it.
        await alerts
          .deliver(input.districtId, verdict.heldAlertId)
          .catch((error: unknown) =>
            logger.error(
              { alertId: verdict.heldAlertId, err: String(error) },
              'alert webhook delivery failed',
            ),
          );
      }
      return { kind: verdict.kind, decision: verdict.decision };
    },
    applyRosterSchools: apply('schools'),
    applyRosterSections: apply('sections'),
    applyRosterUsers: apply('users'),
    applyRosterMemberships: apply('memberships'),
    applyRosterGuardianLinks: apply('guardianLinks'),
    applyRosterRemovals: apply('removals'),

    async finishRosterImport(
      input: RosterImportInput & { outcome: RosterImportOutcome },
    ): Promise<RosterImportCounts> {
      const ref = { districtId: input.districtId, importId: input.importId };
      const counts = await unlessUnavailable(() => importer.finish(ref, input.outcome));
      logger.info({ ...ref, status: input.outcome.status, counts }, 'roster import finished');
      return counts;
    },

    /** The drop-folder workflow's first step: stage the newest export as a new import, or skip. */
    async stageRosterDropFolderExport(input: RosterImportInput): Promise<DropFolderStaging> {
      try {
        return await stageDropFolderExport(
          {
            db,
            store,
            keys,
            maxBytes: config.ROSTER_UPLOAD_MAX_BYTES,
            folders,
            workflowState,
          },
          input,
        );
      } catch (error) {
        // Too large or not a zip: the same file fails the same way on every retry.
        if (error instanceof RosterExportTooLargeError || error instanceof RosterExportNotZipError) {
          throw ApplicationFailure.create({
            type: ROSTER_EXPORT_INVALID,
            message: error.message,
            nonRetryable: true,
          });
        }
        throw error;
      }
    },
  };
}

async function unlessUnavailable<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof RosterImportUnavailableError) {
      throw ApplicationFailure.create({
        type: ROSTER_IMPORT_UNAVAILABLE,
        message: error.message,
        nonRetryable: true,
      });
    }
    throw error;
  }
}
