import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  defineQuery,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import type { createRosterImportActivities } from '../activities/roster-import.activities';
import { emptyCounts } from '../libs/domain/roster-import/counts';
import {
  ROSTER_APPLY_PHASES,
  ROSTER_EXPORT_INVALID,
  type RosterApplyPhase,
  type RosterImportInput,
  type RosterImportProgress,
  type RosterImportResult,
  type RosterImportWorkflowInput,
} from '../libs/domain/roster-import/phases';
import { queryNames } from '../libs/adapters/temporal/workflow-safe/workflow-ids';

type RosterActivities = ReturnType<typeof createRosterImportActivities>;

export const rosterImportProgressQuery = defineQuery<RosterImportProgress>(queryNames.rosterImportProgress);

/**
 * Phases heartbeat after every batch (a batch takes well under a second); the heartbeat timeout is
 * what notices a killed worker. It also covers parsing the export when a fresh worker picks a phase
 * up, which takes a few seconds for a district of 50,000 students.
 */
const phases = proxyActivities<RosterActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 10,
  },
});

const closing = proxyActivities<RosterActivities>({
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 20,
  },
});

const APPLY: Record<RosterApplyPhase, (input: RosterImportInput) => Promise<RosterImportProgress['counts']>> =
  {
    schools: phases.applyRosterSchools,
    sections: phases.applyRosterSections,
    users: phases.applyRosterUsers,
    memberships: phases.applyRosterMemberships,
    guardianLinks: phases.applyRosterGuardianLinks,
    removals: phases.applyRosterRemovals,
  };

/**
 * Reconciles a district's roster with one uploaded OneRoster export (`roster-<districtId>-<importId>`).
 * The export is validated whole first: a refused export closes the import as failed with its errors
 * and changes nothing else, and an export the roster already matches succeeds without any phase. A valid one that is a mass change is held (the workflow ends; an admin's
 * confirmation starts a `confirmed` run). Otherwise it is applied phase by phase; every phase is idempotent, so a
 * worker crash anywhere only repeats work that is then found done. The input, results and query carry
 * ids, phase names and counts only.
 */
export async function rosterImportWorkflow(input: RosterImportWorkflowInput): Promise<RosterImportResult> {
  const ref: RosterImportInput = { districtId: input.districtId, importId: input.importId };
  let progress: RosterImportProgress = { phase: 'validate', counts: emptyCounts() };
  setHandler(rosterImportProgressQuery, () => progress);

  let unchanged: boolean;
  try {
    const { decision } = await phases.validateRosterImport({ ...ref, confirmed: input.confirmed === true });
    // Held: nothing was written. Confirmation starts a new run of this workflow, which diffs again.
    if (decision === 'held') return { status: 'held' };
    // The roster already is what this export makes it: no phase runs, the import succeeds with no changes.
    unchanged = decision === 'unchanged';
  } catch (error) {
    const errorCount = refusedExportErrorCount(error);
    if (errorCount === null) return closeStopped(ref, progress, error);
    progress = { ...progress, phase: 'finish' };
    await closing.finishRosterImport({ ...ref, outcome: { status: 'failed', reason: 'invalid-export' } });
    progress = { ...progress, phase: 'done' };
    return { status: 'failed', errorCount };
  }

  try {
    for (const phase of unchanged ? [] : ROSTER_APPLY_PHASES) {
      progress = { ...progress, phase };
      progress = { phase, counts: await APPLY[phase](ref) };
    }
  } catch (error) {
    return closeStopped(ref, progress, error);
  }
  progress = { ...progress, phase: 'finish' };
  const counts = await closing.finishRosterImport({ ...ref, outcome: { status: 'succeeded' } });
  progress = { phase: 'done', counts };
  return { status: 'succeeded', counts };
}

/** The error count of a refused export, or null for any other failure. */
function refusedExportErrorCount(error: unknown): number | null {
  if (!(error instanceof ActivityFailure) || !(error.cause instanceof ApplicationFailure)) return null;
  if (error.cause.type !== ROSTER_EXPORT_INVALID) return null;
  const [details] = error.cause.details ?? [];
  return (details as { errorCount?: number } | undefined)?.errorCount ?? 0;
}

/**
 * A phase gave up (its retries ran out, or the import's data is gone): the import is closed as failed,
 * naming the phase, and the workflow fails so operators see it. Cleanup runs even if the workflow was
 * cancelled.
 */
async function closeStopped(
  ref: RosterImportInput,
  progress: RosterImportProgress,
  error: unknown,
): Promise<never> {
  await CancellationScope.nonCancellable(() =>
    closing.finishRosterImport({
      ...ref,
      outcome: { status: 'failed', reason: 'stopped', phase: progress.phase },
    }),
  );
  throw error;
}
