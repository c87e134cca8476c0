import { createHash, randomUUID } from 'node:crypto';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { type Database, type TenantRepositories } from '../db/database';
import { type RosterImportSource } from '../db/types';
import {
  PayloadTooLargeError,
  UnavailableError,
  UnsupportedMediaTypeError,
} from '../domain/errors/domain-errors';
import { type BlobKeys, type BlobStore, writeEncryptedBlob } from '../adapters/storage';
import { workflowIds } from '../adapters/temporal/workflow-safe/workflow-ids';
import { type WorkflowState } from '../adapters/temporal/workflow-state';
import { type RosterImportInput } from '../domain/roster-import/phases';
import {
  claimDistrictForImport,
  refuseWhileImportRunning,
  refusingWhenUnavailable,
  type RunningImport,
  type WorkflowStateLookup,
} from './one-import-at-a-time';
import { IMPORT_FILE } from './roster-importer';
import { rosterBlobAad, rosterBlobKey } from './roster-blob';

/** Every zip archive that has entries starts with a local file header. */
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

export class RosterExportTooLargeError extends PayloadTooLargeError {
  constructor(maxBytes: number) {
    super(`The roster export is larger than the limit of ${maxBytes} bytes.`);
  }
}

export class RosterExportNotZipError extends UnsupportedMediaTypeError {
  constructor() {
    super('The roster export must be a zip archive of OneRoster 1.1 CSV files.');
  }
}

/**
 * Judges an export while it streams to storage: its size against the limit, its first bytes against
 * the zip signature, and its SHA-256. It fails the stream as soon as it knows, so an oversized or
 * foreign upload stops being read (and stored) right there.
 */
export class RosterExportInspector extends Transform {
  private readonly hash = createHash('sha256');
  private head = Buffer.alloc(0);
  bytes = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) return callback(new RosterExportTooLargeError(this.maxBytes));
    if (this.head.length < ZIP_MAGIC.length) {
      this.head = Buffer.concat([this.head, chunk.subarray(0, ZIP_MAGIC.length - this.head.length)]);
      if (!ZIP_MAGIC.subarray(0, this.head.length).equals(this.head))
        return callback(new RosterExportNotZipError());
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    callback(this.head.length < ZIP_MAGIC.length ? new RosterExportNotZipError() : null);
  }

  /** Only meaningful once the stream has ended without error. */
  sha256(): string {
    return this.hash.digest('hex');
  }
}

export interface StagedRosterExport {
  fileSha256: string;
  blobPath: string;
  bytes: number;
}

export interface RosterIntakeDeps {
  db: Database;
  store: BlobStore;
  keys: BlobKeys;
  maxBytes: number;
}

/** Streams the export, encrypted under the district's data key, into storage; it is never buffered whole. */
export async function stageRosterExport(
  deps: RosterIntakeDeps,
  target: RosterImportInput,
  file: Readable,
): Promise<StagedRosterExport> {
  const inspector = new RosterExportInspector(deps.maxBytes);
  file.once('error', (error) => inspector.destroy(error));
  file.pipe(inspector);
  const blobPath = rosterBlobKey(target.districtId, target.importId);
  await writeEncryptedBlob(
    deps.store,
    deps.keys,
    { districtId: target.districtId, key: blobPath, aad: rosterBlobAad(target.importId) },
    inspector,
  );
  return { fileSha256: inspector.sha256(), blobPath, bytes: inspector.bytes };
}

/** Who started an import, how, and the export it staged. */
export interface RecordedImportDetails {
  source: RosterImportSource;
  createdById: string | null;
  staged: StagedRosterExport;
}

/**
 * Records a staged export as a running import, with its audit event in the same transaction, unless
 * another import of the district is still running (RosterImportInProgressError). If it cannot be
 * recorded, the staged export is deleted. Idempotent for a given import id: a retried drop-folder
 * activity records it once.
 */
export async function recordRosterImport(
  deps: { db: Database; store: BlobStore; workflowState: WorkflowStateLookup },
  target: RosterImportInput,
  details: RecordedImportDetails,
): Promise<void> {
  const record = (tenant: TenantRepositories) => recordWithin(tenant, target, details, deps.workflowState);
  let abandoned: RunningImport[];
  try {
    abandoned = await deps.db.transaction(target.districtId, record);
  } catch (error) {
    await deps.store.delete(details.staged.blobPath);
    throw error;
  }
  await deleteStoredExports(deps, target.districtId, abandoned);
}

/** The import's row and audit event, after claiming the district; returns the imports it abandoned. */
async function recordWithin(
  tenant: TenantRepositories,
  target: RosterImportInput,
  details: RecordedImportDetails,
  workflowState: WorkflowStateLookup,
): Promise<RunningImport[]> {
  const abandoned = await claimDistrictForImport(tenant, target.importId, workflowState);
  const created = await tenant.rosterImports.createIfAbsent({
    id: target.importId,
    source: details.source,
    fileSha256: details.staged.fileSha256,
    blobPath: details.staged.blobPath,
    workflowId: workflowIds.roster(target.districtId, target.importId),
    createdById: details.createdById,
  });
  if (created) {
    await tenant.audit.append({
      actorId: details.createdById,
      action: 'roster.import.started',
      targetType: 'roster_import',
      targetId: target.importId,
      details: { importId: target.importId, source: details.source, bytes: details.staged.bytes },
    });
  }
  return abandoned;
}

async function deleteStoredExports(
  deps: { db: Database; store: BlobStore },
  districtId: string,
  imports: RunningImport[],
): Promise<void> {
  for (const row of imports) {
    if (!row.blobPath) continue;
    await deps.store.delete(row.blobPath);
    await deps.db.forDistrict(districtId).rosterImports.clearBlobPath(row.id);
  }
}

/**
 * What roster imports need of Temporal, by domain ids; the workflow gateway (libs/temporal) provides
 * it. A start answers the workflow id; an id that already ran is never run again.
 */
export interface RosterImportWorkflows {
  startRosterImport(target: RosterImportInput): Promise<string>;
  startConfirmedRosterImport(target: RosterImportInput, heldAt: Date): Promise<string>;
  workflowState(workflowId: string): Promise<WorkflowState>;
}

export interface StartRosterImportRequest {
  districtId: string;
  source: Extract<RosterImportSource, 'upload' | 'cli'>;
  createdById: string | null;
  file: Readable;
}

/**
 * The one path for uploads and the command line: stage the export, record the import, start its
 * workflow. A district with an import still running refuses with 409 before anything is stored. If
 * Temporal cannot be reached the import is closed as failed (it would otherwise stay `running`
 * forever) and the caller gets 503.
 */
export async function startRosterImport(
  deps: RosterIntakeDeps & { workflows: RosterImportWorkflows },
  request: StartRosterImportRequest,
): Promise<{ importId: string; workflowId: string }> {
  const target = { districtId: request.districtId, importId: randomUUID() };
  const workflowState = refusingWhenUnavailable((id) => deps.workflows.workflowState(id));
  await refuseWhileImportRunning(deps.db, target.districtId, workflowState);
  const staged = await stageRosterExport(deps, target, request.file);
  await recordRosterImport({ ...deps, workflowState }, target, {
    source: request.source,
    createdById: request.createdById,
    staged,
  });
  try {
    return { importId: target.importId, workflowId: await deps.workflows.startRosterImport(target) };
  } catch (error) {
    await closeUnstartedImport(deps, target);
    throw new UnavailableError(
      `The roster import could not be started: the workflow service did not answer (${error instanceof Error ? error.name : 'error'}).`,
    );
  }
}

async function closeUnstartedImport(deps: RosterIntakeDeps, target: RosterImportInput): Promise<void> {
  await deps.db.transaction(target.districtId, async (tenant) => {
    const closed = await tenant.rosterImports.finish(target.importId, {
      status: 'failed',
      finishedAt: new Date(),
      errors: [
        { file: IMPORT_FILE, line: 0, message: 'the import could not be started; upload the export again' },
      ],
    });
    if (closed) {
      await tenant.audit.append({
        action: 'roster.import.failed',
        targetType: 'roster_import',
        targetId: target.importId,
        details: { importId: target.importId, reason: 'not-started' },
      });
    }
  });
  await deps.store.delete(rosterBlobKey(target.districtId, target.importId));
  await deps.db.forDistrict(target.districtId).rosterImports.clearBlobPath(target.importId);
}
