import { type Database, type TenantRepositories } from '../db/database';
import { ConflictError, UnavailableError } from '../domain/errors/domain-errors';
import { type WorkflowState } from '../adapters/temporal/workflow-state';
import { IMPORT_FILE } from './roster-importer';

/**
 * A district's imports run one at a time. Each apply phase diffs one export against the current
 * database, so two exports applied phase by phase at once would leave a mix of both: an older export's
 * memberships phase, running after a newer one's removals, would give a removed student their section
 * back. A second import is therefore refused (409) while one is running, and the uploader tries again.
 */
export class RosterImportInProgressError extends ConflictError {
  constructor(readonly runningImportId: string) {
    super(
      'IMPORT_IN_PROGRESS',
      `Roster import ${runningImportId} is still running for this district; upload the export again when it has finished.`,
    );
  }
}

export type { WorkflowState };

/** Where a roster import's workflow stands, as the Temporal server knows it. */
export type WorkflowStateLookup = (workflowId: string) => Promise<WorkflowState>;

/** `lookup`, where a server that does not answer refuses the import with 503. */
export function refusingWhenUnavailable(lookup: WorkflowStateLookup): WorkflowStateLookup {
  return (workflowId) =>
    lookup(workflowId).catch(() => {
      throw new UnavailableError(
        'The roster import could not be started: the workflow service did not answer.',
      );
    });
}

/**
 * An import is recorded before its workflow starts (the drop-folder workflow starts it a step later),
 * so a running row without a workflow is only given up after this long.
 */
export const UNSTARTED_IMPORT_GRACE_MS = 15 * 60_000;

export interface RunningImport {
  id: string;
  workflowId: string | null;
  blobPath: string | null;
  startedAt: Date;
}

export type RunningImportVerdict = 'blocking' | 'abandoned';

/**
 * Whether a row marked running still holds the district. One whose workflow has closed without
 * finishing it (an operator terminated it, or it timed out) never will, and must not block the
 * district forever.
 */
export async function judgeRunningImport(
  row: RunningImport,
  stateOf: WorkflowStateLookup,
  now: Date,
): Promise<RunningImportVerdict> {
  if (!row.workflowId) return 'abandoned';
  const state = await stateOf(row.workflowId);
  if (state === 'running') return 'blocking';
  if (state === 'closed') return 'abandoned';
  return now.getTime() - row.startedAt.getTime() < UNSTARTED_IMPORT_GRACE_MS ? 'blocking' : 'abandoned';
}

/** The given running imports, every one abandoned; the first that still holds the district refuses. */
async function abandonedOrRefuse(
  rows: readonly RunningImport[],
  stateOf: WorkflowStateLookup,
  now: Date,
): Promise<RunningImport[]> {
  for (const row of rows) {
    if ((await judgeRunningImport(row, stateOf, now)) === 'blocking')
      throw new RosterImportInProgressError(row.id);
  }
  return [...rows];
}

/**
 * The cheap check before an upload is streamed to storage, so a busy district refuses at once. The
 * authoritative check is {@link claimDistrictForImport}, under the intake lock.
 */
export async function refuseWhileImportRunning(
  db: Database,
  districtId: string,
  stateOf: WorkflowStateLookup,
  now = new Date(),
): Promise<void> {
  await abandonedOrRefuse(await db.forDistrict(districtId).rosterImports.running(), stateOf, now);
}

/**
 * Run inside the transaction that records a new import: takes the district's intake lock, refuses if
 * another import still runs, and closes abandoned ones (with their audit event). Returns the abandoned
 * imports so the caller deletes their stored exports once the transaction has committed.
 */
export async function claimDistrictForImport(
  tenant: TenantRepositories,
  ownImportId: string,
  stateOf: WorkflowStateLookup,
  now = new Date(),
): Promise<RunningImport[]> {
  await tenant.rosterImports.lockIntake();
  const others = (await tenant.rosterImports.running()).filter((row) => row.id !== ownImportId);
  const abandoned = await abandonedOrRefuse(others, stateOf, now);
  for (const row of abandoned) {
    const closed = await tenant.rosterImports.finish(row.id, {
      status: 'failed',
      finishedAt: now,
      errors: [
        {
          file: IMPORT_FILE,
          line: 0,
          message:
            'the import was abandoned: its workflow stopped without finishing it; the batches applied so far stay, and the next import completes them',
        },
      ],
    });
    if (!closed) continue;
    await tenant.audit.append({
      actorId: null,
      action: 'roster.import.failed',
      targetType: 'roster_import',
      targetId: row.id,
      details: { importId: row.id, reason: 'abandoned' },
    });
  }
  return abandoned;
}
