import { proxyActivities, uuid4 } from '@temporalio/workflow';
import type { createRosterImportActivities } from '../activities/roster-import.activities';
import type { DropFolderStaging } from '../libs/roster-import/drop-folder';
import type { RosterImportResult } from '../libs/domain/roster-import/phases';
import { runStagedRosterImport } from './staged-roster-import';

type RosterActivities = ReturnType<typeof createRosterImportActivities>;

const { stageRosterDropFolderExport } = proxyActivities<RosterActivities>({
  // Hashing and encrypting a large export from local disk.
  startToCloseTimeout: '10 minutes',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 5,
  },
});

export interface RosterDropFolderInput {
  districtId: string;
}

export type RosterDropFolderResult =
  Extract<DropFolderStaging, { status: 'skipped' }> | ({ importId: string } & RosterImportResult);

/**
 * What a district's Temporal Schedule runs (nightly by default): the newest export in the district's
 * drop folder becomes a new import, run as the standard `roster-<districtId>-<importId>` child, unless
 * it is the export the last successful import already applied. The import id is drawn here, so a
 * retried staging activity records the same import once.
 */
export async function rosterDropFolderWorkflow(
  input: RosterDropFolderInput,
): Promise<RosterDropFolderResult> {
  const ref = { districtId: input.districtId, importId: uuid4() };
  const staged = await stageRosterDropFolderExport(ref);
  if (staged.status === 'skipped') return staged;
  return runStagedRosterImport(ref);
}
