import { executeChild, ParentClosePolicy } from '@temporalio/workflow';
import type { RosterImportResult } from '../libs/domain/roster-import/phases';
import { DISTRICT_ID, ROSTER_IMPORT_ID } from '../libs/adapters/temporal/workflow-safe/search-attributes';
import { workflowIds } from '../libs/adapters/temporal/workflow-safe/workflow-ids';
import { rosterImportWorkflow } from './roster-import.workflow';

/**
 * Runs an export a source workflow (drop folder, OneRoster REST) has staged as the standard
 * `roster-<districtId>-<importId>` child, so every source applies the same way. Never run twice for one
 * import (REJECT_DUPLICATE), and it finishes even if its parent is terminated: it owns its clean-up.
 */
export async function runStagedRosterImport(ref: {
  districtId: string;
  importId: string;
}): Promise<{ importId: string } & RosterImportResult> {
  const result = await executeChild(rosterImportWorkflow, {
    workflowId: workflowIds.roster(ref.districtId, ref.importId),
    args: [ref],
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    parentClosePolicy: ParentClosePolicy.ABANDON,
    typedSearchAttributes: [
      { key: DISTRICT_ID, value: ref.districtId },
      { key: ROSTER_IMPORT_ID, value: ref.importId },
    ],
  });
  return { importId: ref.importId, ...result };
}
