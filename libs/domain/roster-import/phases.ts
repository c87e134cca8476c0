import type { RosterImportCounts } from './counts';

/**
 * The apply phases, in order. Each is one activity that recomputes its diff from the snapshot and the
 * current database, so running a phase again after a crash only does what is still missing.
 * Removals come last: people and sections leave after everything that stays is in place.
 */
export const ROSTER_APPLY_PHASES = [
  'schools',
  'sections',
  'users',
  'memberships',
  'guardianLinks',
  'removals',
] as const;

export type RosterApplyPhase = (typeof ROSTER_APPLY_PHASES)[number];
export type RosterImportPhase = 'validate' | RosterApplyPhase | 'finish' | 'done';

/** What the workflow's `progress` query answers: ids and numbers only. */
export interface RosterImportProgress {
  phase: RosterImportPhase;
  /** The import's counters as of the last finished phase. */
  counts: RosterImportCounts;
}

/** The workflow's input: ids only (DESIGN.md: nothing personal in Temporal histories). */
export interface RosterImportInput {
  districtId: string;
  importId: string;
}

/** The import workflow's input: a confirmed run applies a held import an admin confirmed. */
export interface RosterImportWorkflowInput extends RosterImportInput {
  confirmed?: boolean;
}

export type RosterImportResult =
  | { status: 'succeeded'; counts: RosterImportCounts }
  | { status: 'failed'; errorCount: number }
  | { status: 'held' };

/** The ApplicationFailure type of a refused export: never retried, and the workflow closes the import. */
export const ROSTER_EXPORT_INVALID = 'RosterExportInvalid';
/** The import row or its stored export is gone: no retry can help. */
export const ROSTER_IMPORT_UNAVAILABLE = 'RosterImportUnavailable';
/** The OneRoster REST provider refused us or answered nonsense (or the source is misconfigured): not retried. */
export const ROSTER_API_REFUSED = 'RosterApiRefused';
