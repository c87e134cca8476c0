/**
 * Fixed windows of the counters kept in `rate_limit_counters` (sign-in limits, write quotas): aligned
 * to multiples of the window length since the epoch, so every API instance agrees on the window
 * without talking to the others.
 */

/** The longest window any counter may use; counters of windows started before now minus this are pruned. */
export const MAX_WINDOW_SECONDS = 24 * 3600;

export interface FixedWindow {
  start: Date;
  end: Date;
}

export function fixedWindow(nowMs: number, windowSeconds: number): FixedWindow {
  const length = windowSeconds * 1000;
  const start = Math.floor(nowMs / length) * length;
  return { start: new Date(start), end: new Date(start + length) };
}

/** Whole seconds until the window ends, at least one: the value of a Retry-After header. */
export function retryAfterSeconds(window: FixedWindow, nowMs: number): number {
  return Math.max(1, Math.ceil((window.end.getTime() - nowMs) / 1000));
}
