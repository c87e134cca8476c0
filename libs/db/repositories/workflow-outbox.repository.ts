import { type DbClient } from '../db-client';
import { type OutboxKind } from '../generated/enums';
import { type HomeroomPrismaClient } from '../prisma';

/** A workflow start owed to a committed write: ids only, never text. */
export interface OutboxEntry {
  kind: OutboxKind;
  subjectId: string;
}

export interface ClaimedOutboxEntry extends OutboxEntry {
  id: string;
  districtId: string;
  /** Claims so far, this one included. */
  attempts: number;
}

export interface OutboxLag {
  pending: number;
  /** Age of the oldest row still waiting for its start; 0 when none waits. */
  oldestMs: number;
}

/**
 * The writing side of the workflow outbox: called inside `Database.transaction` with the write the
 * start is owed to, so both commit or neither does. A subject queued twice keeps one row.
 */
export class OutboxRepository {
  constructor(
    private readonly prisma: DbClient,
    private readonly districtId: string,
  ) {}

  async enqueue(entry: OutboxEntry, taskQueue: string): Promise<void> {
    await this.prisma.$executeRaw`
      INSERT INTO workflow_outbox (district_id, kind, subject_id, task_queue)
      VALUES (${this.districtId}::uuid, ${entry.kind}::outbox_kind, ${entry.subjectId}::uuid, ${taskQueue})
      ON CONFLICT (kind, subject_id) DO NOTHING`;
  }
}

/**
 * The draining side, across districts (each row names its own). A claim is a lease, not an open
 * transaction: no connection is held while Temporal answers, a claimed row is invisible to other
 * drainers until `leaseMs` passed, and a drainer that dies leaves its rows to come back then.
 */
export class WorkflowOutboxDrain {
  constructor(private readonly prisma: HomeroomPrismaClient) {}

  /**
   * Claims up to `limit` rows of `taskQueue` that are due, oldest first. SKIP LOCKED lets concurrent
   * drainers take disjoint batches instead of waiting on each other's rows.
   */
  claim(taskQueue: string, limit: number, leaseMs: number): Promise<ClaimedOutboxEntry[]> {
    return this.prisma.$queryRaw<ClaimedOutboxEntry[]>`
      UPDATE workflow_outbox o
      SET available_at = now() + ${leaseMs}::int * interval '1 millisecond', attempts = o.attempts + 1
      FROM (
        SELECT id FROM workflow_outbox
        WHERE task_queue = ${taskQueue} AND available_at <= now()
        ORDER BY available_at, id
        LIMIT ${limit}::int
        FOR UPDATE SKIP LOCKED
      ) due
      WHERE o.id = due.id
      RETURNING o.id, o.district_id AS "districtId", o.kind::text AS kind, o.subject_id AS "subjectId",
                o.attempts`;
  }

  /** Rows whose workflow Temporal took. */
  async complete(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.prisma.$executeRaw`DELETE FROM workflow_outbox WHERE id = ANY(${ids}::uuid[])`;
  }

  /** Rows whose start failed: due again after `delayMs`. */
  async retryLater(ids: readonly string[], delayMs: number): Promise<void> {
    if (ids.length === 0) return;
    await this.prisma.$executeRaw`
      UPDATE workflow_outbox SET available_at = now() + ${delayMs}::int * interval '1 millisecond'
      WHERE id = ANY(${ids}::uuid[])`;
  }

  /** How far the drain is behind on `taskQueue`: rows waiting, and the age of the oldest. */
  async lag(taskQueue: string): Promise<OutboxLag> {
    const [row] = await this.prisma.$queryRaw<{ pending: bigint; oldestMs: number | null }[]>`
      SELECT count(*) AS pending,
             (EXTRACT(EPOCH FROM now() - min(created_at)) * 1000)::float8 AS "oldestMs"
      FROM workflow_outbox WHERE task_queue = ${taskQueue}`;
    return { pending: Number(row?.pending ?? 0), oldestMs: Math.max(0, Math.round(row?.oldestMs ?? 0)) };
  }
}
