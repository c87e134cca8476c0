import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  OneRosterClient,
  type OneRosterClientOptions,
  type OneRosterCollection,
  ONEROSTER_COLLECTIONS,
  oneRosterApiExportZip,
  resolveSecret,
  validateOneRosterSource,
  type DeploymentEnvironment,
} from '../adapters/oneroster-api';
import { readEncryptedBlob, writeEncryptedBlob } from '../adapters/storage';
import { workflowIds } from '../adapters/temporal/workflow-safe/workflow-ids';
import { recordRosterImport, type RosterIntakeDeps, stageRosterExport } from './intake';
import {
  RosterImportInProgressError,
  refuseWhileImportRunning,
  type WorkflowStateLookup,
} from './one-import-at-a-time';
import { type RosterImportInput } from '../domain/roster-import/phases';
import { RosterImportUnavailableError } from './snapshot-source';

/** Where one fetched page waits (encrypted, as CSV rows) until the whole pass is staged as one export. */
export function rosterApiPageKey(
  ref: RosterImportInput,
  collection: OneRosterCollection,
  page: number,
): { key: string; aad: string } {
  return {
    key: `roster-api-pages/${ref.districtId}/${ref.importId}/${collection}-${page}.hrb`,
    aad: `roster-api-page:${ref.importId}:${collection}:${page}`,
  };
}

/** How many pages of each collection the pass stored. */
export type RosterApiPageCounts = Record<OneRosterCollection, number>;

export interface RosterApiPageRequest extends RosterImportInput {
  collection: OneRosterCollection;
  /** 0 for the first page. */
  page: number;
  /** The previous page's `next`, or null for the first page. */
  cursor: string | null;
}

export interface RosterApiDeps extends RosterIntakeDeps {
  environment: DeploymentEnvironment;
  secrets: { env: NodeJS.ProcessEnv; secretsFile: string | undefined };
  client: Omit<OneRosterClientOptions, 'now'>;
  workflowState: WorkflowStateLookup;
}

export type RosterApiSkipped = { status: 'skipped'; reason: 'no-source' | 'unchanged' | 'import-running' };
export type RosterApiStaging = RosterApiSkipped | { status: 'staged'; importId: string; workflowId: string };

/** The district has no OneRoster REST source (any more): nothing to fetch. */
export class RosterApiSourceMissingError extends RosterImportUnavailableError {}

/**
 * Before a pass: skip if the district has no source (it was removed after its Schedule was made) or
 * an import of the district is still running; the next scheduled run picks the roster up.
 */
export async function checkRosterApiSource(
  deps: Pick<RosterApiDeps, 'db' | 'workflowState'>,
  districtId: string,
): Promise<{ status: 'ready' } | RosterApiSkipped> {
  if (!(await deps.db.forDistrict(districtId).rosterApiSource.find())) {
    return { status: 'skipped', reason: 'no-source' };
  }
  try {
    await refuseWhileImportRunning(deps.db, districtId, deps.workflowState);
  } catch (error) {
    if (error instanceof RosterImportInProgressError) return { status: 'skipped', reason: 'import-running' };
    throw error;
  }
  return { status: 'ready' };
}

/**
 * Fetches one page and stores its rows. The settings are read and validated again on every page, so a
 * source changed or removed mid-pass (or stored with plain http and read by a production worker) stops
 * the pass instead of reaching a stale address.
 */
export async function fetchRosterApiPage(
  deps: RosterApiDeps,
  request: RosterApiPageRequest,
): Promise<{ count: number; next: string | null }> {
  const stored = await deps.db.forDistrict(request.districtId).rosterApiSource.find();
  if (!stored)
    throw new RosterApiSourceMissingError(`district ${request.districtId} has no OneRoster REST source`);
  const settings = validateOneRosterSource(
    {
      baseUrl: stored.baseUrl,
      tokenUrl: stored.tokenUrl,
      clientId: stored.clientId,
      secretRef: stored.secretRef,
      schedule: stored.schedule,
    },
    deps.environment,
  );
  const client = new OneRosterClient(
    {
      ...settings,
      tenant: request.districtId,
      clientSecret: resolveSecret(settings.secretRef, deps.secrets),
    },
    deps.client,
  );
  const { rows, next } = await client.page(request.collection, request.cursor);
  const target = rosterApiPageKey(request, request.collection, request.page);
  await writeEncryptedBlob(
    deps.store,
    deps.keys,
    { districtId: request.districtId, ...target },
    Readable.from([Buffer.from(JSON.stringify(rows))]),
  );
  return { count: rows.length, next };
}

async function readPages(deps: RosterApiDeps, ref: RosterImportInput, pages: RosterApiPageCounts) {
  const rows = {} as Record<OneRosterCollection, string[][]>;
  for (const collection of ONEROSTER_COLLECTIONS) {
    rows[collection] = [];
    for (let page = 0; page < pages[collection]; page++) {
      const stored = await readEncryptedBlob(deps.store, deps.keys, rosterApiPageKey(ref, collection, page));
      rows[collection].push(...(JSON.parse(stored.toString('utf8')) as string[][]));
    }
  }
  return rows;
}

/** Deletes the stored pages of a pass (after staging, or after the pass gave up). */
export async function discardRosterApiPages(
  deps: Pick<RosterApiDeps, 'store'>,
  ref: RosterImportInput,
  pages: Partial<RosterApiPageCounts>,
): Promise<void> {
  for (const collection of ONEROSTER_COLLECTIONS) {
    for (let page = 0; page < (pages[collection] ?? 0); page++) {
      await deps.store.delete(rosterApiPageKey(ref, collection, page).key);
    }
  }
}

/**
 * Turns a finished pass into a OneRoster bulk export and records it as import `importId`, exactly as an
 * uploaded export would be, unless it is byte for byte the roster the last successful import applied
 * or another import started meanwhile. Idempotent for a given import id.
 */
export async function stageRosterApiExport(
  deps: RosterApiDeps,
  ref: RosterImportInput,
  pages: RosterApiPageCounts,
): Promise<RosterApiStaging> {
  const workflowId = workflowIds.roster(ref.districtId, ref.importId);
  const imports = deps.db.forDistrict(ref.districtId).rosterImports;
  if (await imports.findById(ref.importId)) {
    await discardRosterApiPages(deps, ref, pages);
    return { status: 'staged', importId: ref.importId, workflowId };
  }
  const zip = oneRosterApiExportZip(await readPages(deps, ref, pages));
  const sha256 = createHash('sha256').update(zip).digest('hex');
  let result: RosterApiStaging = { status: 'staged', importId: ref.importId, workflowId };
  if (sha256 === (await imports.lastSucceededSha256())) {
    result = { status: 'skipped', reason: 'unchanged' };
  } else {
    try {
      await refuseWhileImportRunning(deps.db, ref.districtId, deps.workflowState);
      const staged = await stageRosterExport(deps, ref, Readable.from([Buffer.from(zip)]));
      await recordRosterImport(deps, ref, { source: 'schedule', createdById: null, staged });
    } catch (error) {
      if (!(error instanceof RosterImportInProgressError)) throw error;
      result = { status: 'skipped', reason: 'import-running' };
    }
  }
  await discardRosterApiPages(deps, ref, pages);
  return result;
}
