import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { workflowIds } from '../adapters/temporal/workflow-safe/workflow-ids';
import { recordRosterImport, type RosterIntakeDeps, stageRosterExport } from './intake';
import {
  RosterImportInProgressError,
  refuseWhileImportRunning,
  type WorkflowStateLookup,
} from './one-import-at-a-time';
import { type RosterImportInput } from '../domain/roster-import/phases';

export type DropFolderStaging =
  | {
      status: 'skipped';
      reason: 'no-drop-folder' | 'no-export' | 'unchanged' | 'import-running' | 'held';
    }
  | { status: 'staged'; importId: string; workflowId: string };

/** The newest `*.zip` directly in the folder (by modification time, then name), or null. */
export async function newestZipIn(folder: string): Promise<string | null> {
  const entries = await readdir(folder, { withFileTypes: true });
  let newest: { path: string; mtimeMs: number } | null = null;
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.toLowerCase().endsWith('.zip')) continue;
    const path = join(folder, entry.name);
    const { mtimeMs } = await stat(path);
    if (!newest || mtimeMs > newest.mtimeMs || (mtimeMs === newest.mtimeMs && path > newest.path)) {
      newest = { path, mtimeMs };
    }
  }
  return newest?.path ?? null;
}

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/**
 * Stages the newest export of a district's drop folder as import `importId` (chosen by the calling
 * workflow, so a retry stages the same import once), unless it is the export the last successful
 * import already applied (SIS exports arrive nightly whether or not anything changed), the export of
 * the import held for an admin, or another import of the district is still running (the next
 * scheduled run picks the export up). A different export is staged even while one is held: it
 * supersedes the held one when its own decision is made.
 */
export async function stageDropFolderExport(
  deps: RosterIntakeDeps & { folders: ReadonlyMap<string, string>; workflowState: WorkflowStateLookup },
  target: RosterImportInput,
): Promise<DropFolderStaging> {
  const workflowId = workflowIds.roster(target.districtId, target.importId);
  const imports = deps.db.forDistrict(target.districtId).rosterImports;
  if (await imports.findById(target.importId))
    return { status: 'staged', importId: target.importId, workflowId };

  const folder = deps.folders.get(target.districtId);
  if (!folder) return { status: 'skipped', reason: 'no-drop-folder' };
  const path = await newestZipIn(folder);
  if (!path) return { status: 'skipped', reason: 'no-export' };
  const sha256 = await sha256OfFile(path);
  if (sha256 === (await imports.lastSucceededSha256())) {
    return { status: 'skipped', reason: 'unchanged' };
  }
  // The same export again while it waits for an admin: one held import, one alert, not one a night.
  if ((await imports.heldOthers(null)).some((held) => held.fileSha256 === sha256)) {
    return { status: 'skipped', reason: 'held' };
  }
  try {
    await refuseWhileImportRunning(deps.db, target.districtId, deps.workflowState);
    const staged = await stageRosterExport(deps, target, createReadStream(path));
    await recordRosterImport(deps, target, { source: 'schedule', createdById: null, staged });
  } catch (error) {
    if (error instanceof RosterImportInProgressError) return { status: 'skipped', reason: 'import-running' };
    throw error;
  }
  return { status: 'staged', importId: target.importId, workflowId };
}
