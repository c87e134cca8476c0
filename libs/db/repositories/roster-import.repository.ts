import { type Prisma } from '../generated/client';
import { type RosterImportSource, type RosterImportStatus } from '../generated/enums';
import { advisoryXactLock } from '../advisory-lock';
import { type DbClient } from '../db-client';

export interface NewRosterImport {
  id: string;
  source: RosterImportSource;
  fileSha256: string;
  blobPath: string;
  workflowId: string;
  createdById: string | null;
}

export interface RosterImportFileError {
  file: string;
  line: number;
  message: string;
}

const RECORD = {
  id: true,
  status: true,
  source: true,
  workflowId: true,
  fileSha256: true,
  blobPath: true,
  counts: true,
  errors: true,
  warnings: true,
  warningCount: true,
  pending: true,
  heldAt: true,
  createdById: true,
  startedAt: true,
  finishedAt: true,
} as const;

/**
 * A district's roster imports: the row the upload creates, the counts each applied batch adds (in the
 * batch's own transaction), and the outcome. Counts and errors are JSON objects of numbers and
 * {file, line, message} entries; messages name sourcedIds, never names or contact details.
 */
export class RosterImportRepository {
  constructor(
    private readonly prisma: DbClient,
    private readonly districtId: string,
  ) {}

  async create(row: NewRosterImport): Promise<void> {
    await this.prisma.rosterImport.create({
      data: { ...row, districtId: this.districtId, status: 'running' },
    });
  }

  /** Creates the row unless it exists: a retried drop-folder activity stages the same import once. */
  async createIfAbsent(row: NewRosterImport): Promise<boolean> {
    const { count } = await this.prisma.rosterImport.createMany({
      data: [{ ...row, districtId: this.districtId, status: 'running' }],
      skipDuplicates: true,
    });
    return count === 1;
  }

  /**
   * Serializes intake for the district until the transaction ends: whoever holds it sees every other
   * import that is running and records its own, so two uploads cannot both start.
   */
  async lockIntake(): Promise<void> {
    await advisoryXactLock(this.prisma, `roster-intake:${this.districtId}`);
  }

  /** The district's imports still marked running, oldest first. */
  running() {
    return this.prisma.rosterImport.findMany({
      where: { districtId: this.districtId, status: 'running' },
      orderBy: [{ startedAt: 'asc' }, { id: 'asc' }],
      select: { id: true, workflowId: true, blobPath: true, startedAt: true },
    });
  }

  findById(id: string) {
    return this.prisma.rosterImport.findFirst({ where: { id, districtId: this.districtId }, select: RECORD });
  }

  /** The export behind the district's latest successful import, to tell a new drop from the last one. */
  async lastSucceededSha256(): Promise<string | null> {
    const row = await this.prisma.rosterImport.findFirst({
      where: { districtId: this.districtId, status: 'succeeded' },
      orderBy: [{ finishedAt: 'desc' }, { startedAt: 'desc' }],
      select: { fileSha256: true },
    });
    return row?.fileSha256 ?? null;
  }

  /** Records the parsed export's content hash (a retry writes the same). */
  async recordSnapshotHash(id: string, snapshotSha256: string): Promise<void> {
    await this.prisma.rosterImport.updateMany({
      where: { id, districtId: this.districtId, status: 'running' },
      data: { snapshotSha256 },
    });
  }

  /**
   * Whether another import of the district succeeded with this export content and left the roster
   * tables with this fingerprint: then the roster is already what the export makes it.
   */
  async succeededWith(snapshotSha256: string, rosterFingerprint: string, exceptId: string): Promise<boolean> {
    const row = await this.prisma.rosterImport.findFirst({
      where: {
        districtId: this.districtId,
        status: 'succeeded',
        snapshotSha256,
        rosterFingerprint,
        id: { not: exceptId },
      },
      select: { id: true },
    });
    return row !== null;
  }

  /** Adds to the import's counters atomically; run it in the transaction of the batch it counts. */
  async addCounts(id: string, delta: Readonly<Record<string, number>>): Promise<void> {
    const nonZero = Object.fromEntries(Object.entries(delta).filter(([, value]) => value !== 0));
    if (Object.keys(nonZero).length === 0) return;
    await this.prisma.$executeRaw`
      UPDATE roster_imports
      SET counts = (
        SELECT COALESCE(jsonb_object_agg(key, total), '{}'::jsonb)
        FROM (
          SELECT key, SUM(value::bigint) AS total
          FROM (
            SELECT key, value FROM jsonb_each_text(counts)
            UNION ALL
            SELECT key, value FROM jsonb_each_text(${JSON.stringify(nonZero)}::jsonb)
          ) AS entries
          GROUP BY key
        ) AS totals
      )
      WHERE id = ${id}::uuid AND district_id = ${this.districtId}::uuid`;
  }

  async counts(id: string): Promise<Prisma.JsonValue | null> {
    const row = await this.prisma.rosterImport.findFirst({
      where: { id, districtId: this.districtId },
      select: { counts: true },
    });
    return row?.counts ?? null;
  }

  /** Records why an export was refused, while the import is still running (a retry writes the same). */
  async recordErrors(id: string, errors: RosterImportFileError[], total: number): Promise<boolean> {
    const { count } = await this.prisma.rosterImport.updateMany({
      where: { id, districtId: this.districtId, status: 'running' },
      data: {
        errors: errors as unknown as Prisma.InputJsonValue,
        counts: { errorsFound: total },
      },
    });
    return count === 1;
  }

  /**
   * Records the rows an accepted export skips, while the import is still running (a retry writes the
   * same); `total` counts them all, the list is capped.
   */
  async recordWarnings(id: string, warnings: RosterImportFileError[], total: number): Promise<boolean> {
    const { count } = await this.prisma.rosterImport.updateMany({
      where: { id, districtId: this.districtId, status: 'running' },
      data: { warnings: warnings as unknown as Prisma.InputJsonValue, warningCount: total },
    });
    return count === 1;
  }

  /**
   * Moves a running import to its outcome; false when it had already finished, so the caller writes
   * its audit event exactly once (in the same transaction).
   */
  async finish(
    id: string,
    outcome: {
      status: Exclude<RosterImportStatus, 'running'>;
      finishedAt: Date;
      errors?: RosterImportFileError[];
      /** The roster tables' fingerprint after a succeeded import. */
      rosterFingerprint?: string;
    },
  ): Promise<boolean> {
    const { count } = await this.prisma.rosterImport.updateMany({
      where: { id, districtId: this.districtId, status: 'running' },
      data: {
        status: outcome.status,
        finishedAt: outcome.finishedAt,
        ...(outcome.errors ? { errors: outcome.errors as unknown as Prisma.InputJsonValue } : {}),
        ...(outcome.rosterFingerprint ? { rosterFingerprint: outcome.rosterFingerprint } : {}),
      },
    });
    return count === 1;
  }

  /**
   * Holds a running import with what it would change; false when it was not running (a retried
   * activity), so the caller raises its alert and audit event once.
   */
  async hold(id: string, pending: Readonly<Record<string, number>>, heldAt: Date): Promise<boolean> {
    const { count } = await this.prisma.rosterImport.updateMany({
      where: { id, districtId: this.districtId, status: 'running' },
      data: { status: 'held', pending: pending as Prisma.InputJsonValue, heldAt },
    });
    return count === 1;
  }

  /** The district's held imports other than `exceptId`; at most one exists after every decision. */
  heldOthers(exceptId: string | null) {
    return this.prisma.rosterImport.findMany({
      where: { districtId: this.districtId, status: 'held', ...(exceptId ? { id: { not: exceptId } } : {}) },
      select: { id: true, blobPath: true, fileSha256: true },
    });
  }

  /**
   * Held → running under a new workflow: false when the import was not held (already confirmed,
   * discarded or superseded), so of two concurrent confirmations exactly one starts an apply.
   */
  async confirm(id: string, workflowId: string): Promise<boolean> {
    const { count } = await this.prisma.rosterImport.updateMany({
      where: { id, districtId: this.districtId, status: 'held' },
      data: { status: 'running', workflowId },
    });
    return count === 1;
  }

  /** A confirmation whose workflow could not start goes back to held, to be confirmed again. */
  async unconfirm(id: string): Promise<void> {
    await this.prisma.rosterImport.updateMany({
      where: { id, districtId: this.districtId, status: 'running' },
      data: { status: 'held' },
    });
  }

  /** Held → discarded; false when it was not held. */
  async discard(id: string, finishedAt: Date): Promise<boolean> {
    const { count } = await this.prisma.rosterImport.updateMany({
      where: { id, districtId: this.districtId, status: 'held' },
      data: { status: 'discarded', finishedAt },
    });
    return count === 1;
  }

  /** The stored export was deleted; the row keeps its hash and counts. */
  async clearBlobPath(id: string): Promise<void> {
    await this.prisma.rosterImport.updateMany({
      where: { id, districtId: this.districtId },
      data: { blobPath: null },
    });
  }
}
