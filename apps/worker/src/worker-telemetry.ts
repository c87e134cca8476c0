import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { type Worker } from '@temporalio/worker';
import { type Database, type PoolStats } from '../../../libs/db/database';
import { type Logger } from '../../../libs/logging/logger';

export interface DelaySummary {
  /** Milliseconds. */
  p50: number;
  p99: number;
  max: number;
  samples: number;
}

export interface SlotUse {
  used: number;
  /** The worker's fixed number of slots; null when a resource-based tuner sizes them. */
  max: number | null;
}

export interface QueueTelemetry {
  taskQueue: string;
  activities: SlotUse;
  workflowTasks: SlotUse;
  cachedWorkflows: number;
}

export interface WorkerTelemetrySnapshot {
  /** The window in progress: how late timers fired, i.e. how long the event loop was blocked. */
  eventLoopDelayMs: DelaySummary;
  /** Worst delay since the process started. */
  eventLoopDelayMaxSinceStartMs: number;
  queues: QueueTelemetry[];
  /** The database pool now and its acquisition waits since the process started. */
  pool: PoolStats | null;
}

const WINDOW_MS = 60_000;
/** A window whose worst delay passes this is logged as a warning: every activity and workflow task waited. */
const WARN_DELAY_MS = 500;

/**
 * What the worker's own process says about a stall: event-loop delay (perf_hooks), activity and
 * workflow-task slots in use per task queue, and how long work waited for a database connection.
 * Logged once a window; `snapshot()` is for a metrics endpoint to read.
 */
export class WorkerTelemetry {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private timer: NodeJS.Timeout | undefined;
  private maxSinceStartMs = 0;
  private lastPool: PoolStats | null = null;

  constructor(
    private readonly deps: { db: Database; logger: Logger; workers: readonly Worker[] },
    private readonly windowMs: number = WINDOW_MS,
  ) {}

  start(): void {
    this.histogram.enable();
    this.timer = setInterval(() => this.closeWindow(), this.windowMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.histogram.disable();
  }

  snapshot(): WorkerTelemetrySnapshot {
    const delay = summarize(this.histogram);
    return {
      eventLoopDelayMs: delay,
      eventLoopDelayMaxSinceStartMs: Math.max(this.maxSinceStartMs, delay.max),
      queues: this.deps.workers.map(queueTelemetry),
      pool: this.deps.db.poolStats(),
    };
  }

  private closeWindow(): void {
    const snapshot = this.snapshot();
    this.histogram.reset();
    this.maxSinceStartMs = snapshot.eventLoopDelayMaxSinceStartMs;
    const pool = snapshot.pool;
    const previous = this.lastPool;
    this.lastPool = pool;
    const poolWindow = pool && {
      ...pool,
      // Waits in this window, beside the totals since start.
      windowAcquisitions: pool.acquisitions - (previous?.acquisitions ?? 0),
      windowWaited: pool.waited - (previous?.waited ?? 0),
      windowWaitedMs: round(pool.waitedMsTotal - (previous?.waitedMsTotal ?? 0)),
      waitedMsTotal: round(pool.waitedMsTotal),
      waitedMsMax: round(pool.waitedMsMax),
    };
    const fields = { ...snapshot, pool: poolWindow, windowSeconds: this.windowMs / 1000 };
    if (snapshot.eventLoopDelayMs.max > WARN_DELAY_MS)
      this.deps.logger.warn(fields, 'worker telemetry: the event loop was blocked');
    else this.deps.logger.info(fields, 'worker telemetry');
  }
}

function queueTelemetry(worker: Worker): QueueTelemetry {
  const status = worker.getStatus();
  const { tuner, taskQueue } = worker.options;
  return {
    taskQueue,
    activities: {
      used: status.numInFlightNonLocalActivities,
      max: fixedSlots(tuner.activityTaskSlotSupplier),
    },
    workflowTasks: {
      used: status.numInFlightWorkflowActivations,
      max: fixedSlots(tuner.workflowTaskSlotSupplier),
    },
    cachedWorkflows: status.numCachedWorkflows,
  };
}

function fixedSlots(supplier: { type: string; numSlots?: number }): number | null {
  return supplier.type === 'fixed-size' && supplier.numSlots !== undefined ? supplier.numSlots : null;
}

const NS_PER_MS = 1e6;

function summarize(histogram: IntervalHistogram): DelaySummary {
  const samples = histogram.count;
  if (samples === 0) return { p50: 0, p99: 0, max: 0, samples };
  return {
    p50: round(histogram.percentile(50) / NS_PER_MS),
    p99: round(histogram.percentile(99) / NS_PER_MS),
    max: round(histogram.max / NS_PER_MS),
    samples,
  };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
