import {
  type ClaimedOutboxEntry,
  type OutboxLag,
  type WorkflowOutboxDrain,
} from '../db/repositories/workflow-outbox.repository';
import { type Logger } from '../logging/logger';

/** The part of the workflow gateway the outbox needs: its `again` policy makes a repeated start harmless. */
export interface OutboxStarts {
  startTranslation(ref: {
    districtId: string;
    subjectKind: 'message' | 'announcement';
    subjectId: string;
  }): Promise<string>;
}

export interface OutboxDrainerOptions {
  /** Only rows the writers queued for this task queue (the one this worker polls). */
  taskQueue: string;
  /** Wait between passes that found less than a full batch. */
  pollMs: number;
  batchSize?: number;
  /**
   * How long a claimed row stays invisible to other drainers. Longer than a start can take (the
   * client gives up on an unreachable server after about twenty seconds), so two live drainers never
   * start the same row; a drainer that died leaves its rows to come back after it.
   */
  leaseMs?: number;
  /** A failed start waits pollMs × 2^(attempts − 1), at most this long, before it is tried again. */
  maxBackoffMs?: number;
  /** How often the lag is measured (and logged while rows wait). */
  lagEveryMs?: number;
}

export interface OutboxDrainerStatus extends OutboxLag {
  measuredAt: Date | null;
}

const DEFAULT_BATCH_SIZE = 50;
const DEFAULT_LEASE_MS = 60_000;
const DEFAULT_MAX_BACKOFF_MS = 30_000;
const DEFAULT_LAG_EVERY_MS = 10_000;

/**
 * Starts the workflows the workflow outbox owes, in the worker process (issue 14).
 *
 * A plain loop, not a Temporal Schedule or a long-running activity: the outbox exists for the time
 * Temporal cannot take a start, so what drains it must not need Temporal to run; a Schedule's
 * one-second floor plus a workflow and activity task per pass would make each poll cost a history
 * and put a second of lag on every translation, where this loop costs one indexed query per
 * OUTBOX_POLL_MS while idle. Each pass claims a batch (a lease, FOR UPDATE SKIP LOCKED, so several
 * workers take disjoint rows), starts each row's workflow through the gateway, deletes the rows that
 * started and puts the others back with a backoff. A start repeated after a crash between the start
 * and the delete is harmless: the gateway's `again` policy attaches to a running translation or runs
 * a finished one, which finds its translations stored.
 */
export class WorkflowOutboxDrainer {
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly maxBackoffMs: number;
  private readonly lagEveryMs: number;
  private stopped = false;
  private running: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private lastLag: OutboxDrainerStatus = { pending: 0, oldestMs: 0, measuredAt: null };

  constructor(
    private readonly outbox: WorkflowOutboxDrain,
    private readonly starts: OutboxStarts,
    private readonly logger: Logger,
    private readonly options: OutboxDrainerOptions,
  ) {
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.maxBackoffMs = options.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
    this.lagEveryMs = options.lagEveryMs ?? DEFAULT_LAG_EVERY_MS;
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** Ends the loop after the pass in progress; rows it claimed and did not finish come back after their lease. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
  }

  /** The last measured lag: rows waiting and the age of the oldest (for the log, health and metrics). */
  status(): OutboxDrainerStatus {
    return { ...this.lastLag };
  }

  /** One pass: claims a batch, starts it, settles each row. Answers how many rows it claimed. */
  async drainOnce(): Promise<number> {
    const rows = await this.outbox.claim(this.options.taskQueue, this.batchSize, this.leaseMs);
    if (rows.length === 0) return 0;
    const outcomes = await Promise.allSettled(rows.map((row) => this.startFor(row)));
    const started = rows.filter((_, i) => outcomes[i]!.status === 'fulfilled');
    await this.outbox.complete(started.map((row) => row.id));
    const failed = rows.filter((_, i) => outcomes[i]!.status === 'rejected');
    if (failed.length > 0) {
      const byDelay = new Map<number, string[]>();
      for (const row of failed) {
        const delay = this.backoffMs(row.attempts);
        byDelay.set(delay, [...(byDelay.get(delay) ?? []), row.id]);
      }
      for (const [delay, ids] of byDelay) await this.outbox.retryLater(ids, delay);
      const reason = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected')?.reason;
      this.logger.warn(
        { failed: failed.length, started: started.length, error: errorText(reason) },
        'workflow outbox: starts failed, retried later',
      );
    }
    return rows.length;
  }

  private startFor(row: ClaimedOutboxEntry): Promise<string> {
    switch (row.kind) {
      case 'message_translation':
        return this.starts.startTranslation({
          districtId: row.districtId,
          subjectKind: 'message',
          subjectId: row.subjectId,
        });
      default:
        // A kind a newer writer queued: left for a worker that knows it, never deleted unstarted.
        return Promise.reject(new Error(`unknown workflow outbox kind ${String(row.kind)}`));
    }
  }

  private backoffMs(attempts: number): number {
    return Math.min(this.maxBackoffMs, this.options.pollMs * 2 ** Math.min(20, Math.max(0, attempts - 1)));
  }

  private async loop(): Promise<void> {
    let lagDueAt = 0;
    while (!this.stopped) {
      let claimed = 0;
      try {
        claimed = await this.drainOnce();
        if (Date.now() >= lagDueAt) {
          lagDueAt = Date.now() + this.lagEveryMs;
          await this.measureLag();
        }
      } catch (error) {
        // The database is unreachable: the rows are safe where they are; look again after a pause.
        this.logger.warn({ error: errorText(error) }, 'workflow outbox: drain pass failed');
      }
      if (claimed < this.batchSize) await this.pause(this.options.pollMs);
    }
  }

  private async measureLag(): Promise<void> {
    const lag = await this.outbox.lag(this.options.taskQueue);
    this.lastLag = { ...lag, measuredAt: new Date() };
    if (lag.pending > 0) {
      this.logger.info({ outboxPending: lag.pending, outboxLagMs: lag.oldestMs }, 'workflow outbox lag');
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
