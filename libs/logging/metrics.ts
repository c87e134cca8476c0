import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics for operators, one set per composition root (README "Metrics"). Labels take values
 * from small fixed sets only (route templates, status classes, quota names, verdicts): never an id, a
 * name or any request content, so a series count cannot grow with traffic and the output tells an
 * operator nothing about a person.
 */

/** Seconds: from a cached read to a slow roster export. */
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Seconds: clamd takes milliseconds for a small file and tens of seconds for a large archive. */
const SCAN_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export interface ApiMetrics {
  registry: Registry;
  /** Labelled by method, route template (`unmatched` when no route matched) and status class. */
  httpRequestDuration: Histogram<'method' | 'route' | 'status_class'>;
  /** Writes refused by a quota, per quota and per scope (user or district) that refused. */
  quotaRefusals: Counter<'quota' | 'scope'>;
}

export interface WorkerMetrics {
  registry: Registry;
  /** Announcement deliveries written (a retried batch that wrote nothing new adds nothing). */
  fanOutDeliveries: Counter;
  /** Time from opening the stored blob to clamd's answer, per verdict (`no_verdict`: clamd failed). */
  scanDuration: Histogram<'verdict'>;
  /** Scan outcomes: clean, infected, no_verdict, and unreadable (blobs that never reached clamd). */
  scanVerdicts: Counter<'verdict'>;
  /**
   * Reads the workflow outbox's last measured lag at each scrape (rows waiting, age of the oldest):
   * the worker hands its drainer's status here once the drainer exists.
   */
  watchOutbox(status: () => { pending: number; oldestMs: number }): void;
}

export function createApiMetrics(): ApiMetrics {
  const registry = new Registry();
  return withProcessMetrics({
    registry,
    httpRequestDuration: new Histogram({
      name: 'homeroom_http_request_duration_seconds',
      help: 'Time from a request reaching the API to its answer being sent.',
      labelNames: ['method', 'route', 'status_class'],
      buckets: REQUEST_BUCKETS,
      registers: [registry],
    }),
    quotaRefusals: new Counter({
      name: 'homeroom_quota_refusals_total',
      help: 'Writes refused with 429, counted once for each quota and scope (user, district) that refused.',
      labelNames: ['quota', 'scope'],
      registers: [registry],
    }),
  });
}

export function createWorkerMetrics(): WorkerMetrics {
  const registry = new Registry();
  let outbox: (() => { pending: number; oldestMs: number }) | undefined;
  new Gauge({
    name: 'homeroom_outbox_pending',
    help: "Workflow starts waiting in the outbox for this worker's task queue (last measured).",
    registers: [registry],
    collect() {
      if (outbox) this.set(outbox().pending);
    },
  });
  new Gauge({
    name: 'homeroom_outbox_lag_seconds',
    help: 'Age of the oldest workflow start waiting in the outbox (last measured; 0 when none waits).',
    registers: [registry],
    collect() {
      if (outbox) this.set(outbox().oldestMs / 1000);
    },
  });
  return withProcessMetrics({
    registry,
    watchOutbox: (status: () => { pending: number; oldestMs: number }) => {
      outbox = status;
    },
    fanOutDeliveries: new Counter({
      name: 'homeroom_fanout_deliveries_total',
      help: 'Announcement deliveries written by fan-out batches.',
      registers: [registry],
    }),
    scanDuration: new Histogram({
      name: 'homeroom_attachment_scan_duration_seconds',
      help: 'Time from opening a stored attachment to clamd answering.',
      labelNames: ['verdict'],
      buckets: SCAN_BUCKETS,
      registers: [registry],
    }),
    scanVerdicts: new Counter({
      name: 'homeroom_attachment_scan_verdicts_total',
      help: 'Attachment scans by outcome.',
      labelNames: ['verdict'],
      registers: [registry],
    }),
  });
}

/** The same metrics, served from a registry that also holds the process metrics. */
function withProcessMetrics<T extends { registry: Registry }>(metrics: T): T {
  return { ...metrics, registry: Registry.merge([processRegistry(), metrics.registry]) };
}

let processMetrics: Registry | undefined;

/**
 * The standard process and Node.js metrics (CPU, memory, event-loop lag, GC) under their usual names.
 * They describe the process, so they are collected once per process and shared by every registry in
 * it: collecting starts an event-loop monitor and a GC observer that are never stopped, one set per
 * call, and a test process starts many APIs.
 */
function processRegistry(): Registry {
  if (!processMetrics) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics });
  }
  return processMetrics;
}

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** A method outside the usual few is counted as `other`: clients choose the method. */
export function methodLabel(method: string | undefined): string {
  return method && KNOWN_METHODS.has(method) ? method : 'other';
}

export function statusClassLabel(status: number): string {
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : 'other';
}
