/** Small pieces every benchmark uses: environment, rounding, statistics, a quiet bundler logger. */

export function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set; run in the test environment (npm run bench)`);
  return value;
}

export function round(value: number): number {
  return Math.round(value * 10) / 10;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const quiet = () => undefined;
export const quietLogger = { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: quiet };

/** `node dist/bench/<name>.bench.js` runs one benchmark alone and prints its report as JSON. */
export function runStandalone(name: string, run: () => Promise<object>): void {
  run().then(
    (report) => process.stdout.write(`${JSON.stringify({ bench: name, ...report }, null, 2)}\n`),
    (error: unknown) => {
      process.stderr.write(`${name} bench: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    },
  );
}

/** Nearest-rank percentile (p in 0..100) of `values`; 0 for none. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
