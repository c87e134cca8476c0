import { type Database } from '../db/database';
import { ConflictError, NotFoundError, UnavailableError } from '../domain/errors/domain-errors';
import { type BlobStore } from '../adapters/storage';
import { workflowIds } from '../adapters/temporal/workflow-safe/workflow-ids';
import { claimDistrictForImport, refusingWhenUnavailable } from './one-import-at-a-time';
import { type RosterImportWorkflows } from './intake';
import { type RosterImportInput } from '../domain/roster-import/phases';

/** The import is not (or no longer) held: already confirmed, discarded, superseded, or never held. */
export class RosterImportNotHeldError extends ConflictError {
  constructor(importId: string) {
    super('IMPORT_NOT_HELD', `Roster import ${importId} is not held: it was already confirmed or discarded.`);
  }
}

export interface RosterHoldDeps {
  db: Database;
  store: BlobStore;
  workflows: RosterImportWorkflows;
}

/**
 * Confirms a held import: under the district's intake lock (refused with 409 IMPORT_IN_PROGRESS while
 * another import runs), held → running with its audit event, then the confirmed run of the import
 * workflow starts. Only one of two concurrent confirmations moves it out of held; the other gets 409
 * IMPORT_NOT_HELD, so the import applies once. The run diffs against the roster as it is then.
 */
export async function confirmHeldImport(
  deps: RosterHoldDeps,
  target: RosterImportInput,
  actorId: string,
): Promise<{ importId: string; workflowId: string }> {
  const workflowState = refusingWhenUnavailable((id) => deps.workflows.workflowState(id));
  const { workflowId, heldAt } = await deps.db.transaction(target.districtId, async (tenant) => {
    const row = await tenant.rosterImports.findById(target.importId);
    if (!row) throw new NotFoundError('The roster import');
    if (row.status !== 'held' || !row.heldAt) throw new RosterImportNotHeldError(target.importId);
    await claimDistrictForImport(tenant, target.importId, workflowState);
    const id = workflowIds.rosterConfirmed(target.districtId, target.importId, row.heldAt);
    if (!(await tenant.rosterImports.confirm(target.importId, id)))
      throw new RosterImportNotHeldError(target.importId);
    await tenant.audit.append({
      actorId,
      action: 'roster.import.confirmed',
      targetType: 'roster_import',
      targetId: target.importId,
      details: { importId: target.importId, pending: row.pending ?? {}, workflowId: id },
    });
    return { workflowId: id, heldAt: row.heldAt };
  });
  try {
    await deps.workflows.startConfirmedRosterImport(target, heldAt);
  } catch (error) {
    // Back to held: the admin confirms again once the workflow service answers.
    await deps.db.forDistrict(target.districtId).rosterImports.unconfirm(target.importId);
    throw new UnavailableError(
      `The roster import could not be started: the workflow service did not answer (${error instanceof Error ? error.name : 'error'}).`,
    );
  }
  return { importId: target.importId, workflowId };
}

/** Discards a held import (audited) and deletes its stored export; the roster is left as it is. */
export async function discardHeldImport(
  deps: Pick<RosterHoldDeps, 'db' | 'store'>,
  target: RosterImportInput,
  actorId: string,
): Promise<void> {
  const blobPath = await deps.db.transaction(target.districtId, async (tenant) => {
    await tenant.rosterImports.lockIntake();
    const row = await tenant.rosterImports.findById(target.importId);
    if (!row) throw new NotFoundError('The roster import');
    if (!(await tenant.rosterImports.discard(target.importId, new Date())))
      throw new RosterImportNotHeldError(target.importId);
    await tenant.audit.append({
      actorId,
      action: 'roster.import.discarded',
      targetType: 'roster_import',
      targetId: target.importId,
      details: { importId: target.importId, reason: 'discarded', pending: row.pending ?? {} },
    });
    return row.blobPath;
  });
  if (!blobPath) return;
  await deps.store.delete(blobPath);
  await deps.db.forDistrict(target.districtId).rosterImports.clearBlobPath(target.importId);
}
