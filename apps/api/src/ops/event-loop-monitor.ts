import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { type Logger } from '../../../../libs/logging/logger';
import { LOGGER } from '../common/tokens';

export interface DelaySummary {
  /** Milliseconds. */
  p50: number;
  p99: number;
  max: number;
  mean: number;
  samples: number;
}

export interface EventLoopReport {
  /** The last completed window. */
  lastWindow: (DelaySummary & { windowSeconds: number; endedAt: string }) | null;
  /** The window in progress. */
  current: DelaySummary;
  /** Worst delay since the process started. */
  maxSinceStartMs: number;
}

const WINDOW_MS = 60_000;
/** One window whose worst delay passes this is logged: every request in flight waited that long. */
const WARN_DELAY_MS = 500;

/**
 * How long the API's event loop was blocked (perf_hooks' delay histogram), for operators: a request
 * whose content makes the loop stall delays every other user, so this is watched, not guessed.
 */
@Injectable()
export class EventLoopMonitor implements OnModuleInit, OnApplicationShutdown {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private timer: NodeJS.Timeout | undefined;
  private lastWindow: EventLoopReport['lastWindow'] = null;
  private maxSinceStartMs = 0;

  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  onModuleInit(): void {
    this.histogram.enable();
    this.timer = setInterval(() => this.closeWindow(), WINDOW_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    this.histogram.disable();
  }

  report(): EventLoopReport {
    const current = summarize(this.histogram);
    return {
      lastWindow: this.lastWindow,
      current,
      maxSinceStartMs: Math.max(this.maxSinceStartMs, current.max),
    };
  }

  private closeWindow(): void {
    const summary = summarize(this.histogram);
    this.histogram.reset();
    this.maxSinceStartMs = Math.max(this.maxSinceStartMs, summary.max);
    this.lastWindow = { ...summary, windowSeconds: WINDOW_MS / 1000, endedAt: new Date().toISOString() };
    if (summary.max > WARN_DELAY_MS) {
      this.logger.warn({ eventLoopDelayMs: summary }, 'the event loop was blocked');
    }
  }
}

const NS_PER_MS = 1e6;

function summarize(histogram: IntervalHistogram): DelaySummary {
  const samples = histogram.count;
  if (samples === 0) return { p50: 0, p99: 0, max: 0, mean: 0, samples };
  const ms = (ns: number) => Math.round((ns / NS_PER_MS) * 10) / 10;
  return {
    p50: ms(histogram.percentile(50)),
    p99: ms(histogram.percentile(99)),
    max: ms(histogram.max),
    mean: ms(histogram.mean),
    samples,
  };
}
