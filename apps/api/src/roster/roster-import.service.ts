import { Inject, Injectable } from '@nestjs/common';
import { type Request } from 'express';
import { type ApiConfig } from '../../../../libs/config/config';
import { Database } from '../../../../libs/db/database';
import { type RosterImportFileError } from '../../../../libs/db/repositories/roster-import.repository';
import { NotFoundError } from '../../../../libs/domain/errors/domain-errors';
import {
  confirmHeldImport,
  discardHeldImport,
  readCounts,
  readErrorsFound,
  startRosterImport,
} from '../../../../libs/roster-import';
import { type BlobKeys, type BlobStore } from '../../../../libs/adapters/storage';
import { receiveSingleFile } from '../common/multipart-file';
import { type Principal } from '../common/request-context';
import { API_CONFIG, BLOB_STORE } from '../common/tokens';
import { FieldCipher } from '../../../../libs/crypto/envelope';
import { WorkflowGateway } from '../../../../libs/adapters/temporal/workflow-gateway';
import { type RosterImportDto, RosterImportStartedDto, toCountsDto } from './roster-import.dto';

/**
 * How long a status read waits for the workflow's progress before answering without it. A busy or
 * stopped worker must not turn a status read into a stall: the answer (stored counts) stays well
 * under a second, and a live worker answers a query in milliseconds.
 */
const PROGRESS_QUERY_TIMEOUT_MS = 400;

/**
 * Roster imports for district admins: the upload streams (size-limited, zip only, hashed) into
 * encrypted storage and starts the import workflow through the same code as the command line; the
 * status read is scoped to the caller's district, so another district's import is simply not found.
 */
@Injectable()
export class RosterImportService {
  constructor(
    private readonly db: Database,
    private readonly workflows: WorkflowGateway,
    @Inject(BLOB_STORE) private readonly store: BlobStore,
    @Inject(FieldCipher) private readonly keys: BlobKeys,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  upload(principal: Principal, req: Request): Promise<RosterImportStartedDto> {
    const maxBytes = this.config.ROSTER_UPLOAD_MAX_BYTES;
    return receiveSingleFile(req, maxBytes, (file) =>
      startRosterImport(
        {
          db: this.db,
          store: this.store,
          keys: this.keys,
          maxBytes,
          workflows: this.workflows,
        },
        { districtId: principal.districtId, source: 'upload', createdById: principal.userId, file },
      ),
    );
  }

  async describe(principal: Principal, importId: string): Promise<RosterImportDto> {
    const row = await this.db.forDistrict(principal.districtId).rosterImports.findById(importId);
    if (!row) throw new NotFoundError('The roster import');
    const errors = (Array.isArray(row.errors) ? row.errors : []) as unknown as RosterImportFileError[];
    const warnings = (Array.isArray(row.warnings) ? row.warnings : []) as unknown as RosterImportFileError[];
    const progress =
      row.status === 'running' && row.workflowId
        ? await this.workflows.rosterImportProgress(row.workflowId, PROGRESS_QUERY_TIMEOUT_MS)
        : null;
    return {
      importId: row.id,
      status: row.status,
      source: row.source,
      counts: toCountsDto(readCounts(row.counts)),
      errors: errors.map((error) => ({ file: error.file, line: error.line, message: error.message })),
      errorCount: readErrorsFound(row.counts) ?? errors.length,
      warnings: warnings.map((warning) => ({
        file: warning.file,
        line: warning.line,
        message: warning.message,
      })),
      warningCount: row.warningCount,
      ...(row.status === 'held' ? { pending: toCountsDto(readCounts(row.pending)) } : {}),
      workflowId: row.workflowId,
      startedAt: row.startedAt.toISOString(),
      finishedAt: row.finishedAt?.toISOString() ?? null,
      ...(progress ? { progress: { phase: progress.phase, counts: toCountsDto(progress.counts) } } : {}),
    };
  }

  confirm(principal: Principal, importId: string): Promise<RosterImportStartedDto> {
    return confirmHeldImport(
      {
        db: this.db,
        store: this.store,
        workflows: this.workflows,
      },
      { districtId: principal.districtId, importId },
      principal.userId,
    );
  }

  discard(principal: Principal, importId: string): Promise<void> {
    return discardHeldImport(
      { db: this.db, store: this.store },
      { districtId: principal.districtId, importId },
      principal.userId,
    );
  }
}
