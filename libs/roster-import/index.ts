export * from '../domain/roster-import/counts';
export * from '../domain/roster-import/phases';
export { type DropFolderStaging, newestZipIn, sha256OfFile, stageDropFolderExport } from './drop-folder';
export {
  recordRosterImport,
  RosterExportInspector,
  RosterExportNotZipError,
  RosterExportTooLargeError,
  type RosterIntakeDeps,
  type RosterImportWorkflows,
  stageRosterExport,
  startRosterImport,
  type StagedRosterExport,
  type StartRosterImportRequest,
} from './intake';
export {
  claimDistrictForImport,
  judgeRunningImport,
  RosterImportInProgressError,
  refuseWhileImportRunning,
  refusingWhenUnavailable,
  UNSTARTED_IMPORT_GRACE_MS,
  type WorkflowState,
  type WorkflowStateLookup,
} from './one-import-at-a-time';
export { exceedsConfirmed, massChangeReasons, previewRosterChanges } from './mass-change';
export { rosterBlobAad, rosterBlobKey } from './roster-blob';
export {
  IMPORT_FILE,
  MAX_STORED_ERRORS,
  type RosterDecision,
  ROSTER_IMPORT_HELD_ALERT,
  RosterImporter,
  type RosterImporterOptions,
  type RosterImportOutcome,
  type RosterValidation,
} from './roster-importer';
export { RosterImportUnavailableError, RosterSnapshotSource } from './snapshot-source';
export {
  checkRosterApiSource,
  discardRosterApiPages,
  fetchRosterApiPage,
  type RosterApiDeps,
  type RosterApiPageCounts,
  type RosterApiPageRequest,
  type RosterApiSkipped,
  RosterApiSourceMissingError,
  type RosterApiStaging,
  rosterApiPageKey,
  stageRosterApiExport,
} from './api-source';
export { confirmHeldImport, discardHeldImport, type RosterHoldDeps, RosterImportNotHeldError } from './holds';
