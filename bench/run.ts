import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * `npm run bench [name…]`: runs the compiled bench/*.bench.js modules in name order (those whose file
 * name contains one of the arguments, if any), each in a process of its own so one benchmark's
 * connections and memory never skew the next. A module exports `run()`; when its report carries
 * `results` (or is a list of them), each is printed as
 *
 *   <name>: <value> <unit> (baseline: <value> <unit>, ratio <x>x)
 *
 * and any other report is printed as JSON. A module without `run()` prints its own report.
 */

export interface BenchFigure {
  value: number;
  unit: string;
}

export interface BenchResult extends BenchFigure {
  name: string;
  /** What the figure is measured against in the same run, e.g. a raw COPY of the same rows. */
  baseline?: BenchFigure & { name?: string };
}

const REPORT_MARKER = '@@bench-report ';

export function formatResult(result: BenchResult): string {
  const figure = (f: BenchFigure) => `${formatNumber(f.value)} ${f.unit}`;
  if (!result.baseline) return `${result.name}: ${figure(result)}`;
  const ratio = result.baseline.value === 0 ? '∞' : formatNumber(result.value / result.baseline.value);
  const baselineName = result.baseline.name ? `${result.baseline.name} ` : '';
  return `${result.name}: ${figure(result)} (baseline: ${baselineName}${figure(result.baseline)}, ratio ${ratio}x)`;
}

function formatNumber(value: number): string {
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits });
}

function resultsOf(report: unknown): BenchResult[] | null {
  const candidates = Array.isArray(report) ? report : (report as { results?: unknown } | null)?.results;
  if (!Array.isArray(candidates)) return null;
  const valid = candidates.every(
    (item: Partial<BenchResult>) =>
      typeof item?.name === 'string' && typeof item.value === 'number' && typeof item.unit === 'string',
  );
  return valid ? (candidates as BenchResult[]) : null;
}

function printReport(report: unknown): void {
  const results = resultsOf(report);
  if (results) {
    for (const result of results) process.stdout.write(`${formatResult(result)}\n`);
  } else {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  }
}

/** One benchmark, in its own process; resolves with its exit code. */
function runModule(path: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [__filename, '--module', path], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: process.env,
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith(REPORT_MARKER)) printReport(JSON.parse(line.slice(REPORT_MARKER.length)));
      else process.stdout.write(`${line}\n`);
    });
    child.on('close', (code) => resolve(code ?? 1));
  });
}

async function runInThisProcess(path: string): Promise<void> {
  const module = (await import(path)) as { run?: () => Promise<unknown> };
  if (typeof module.run !== 'function') return;
  const report = await module.run();
  process.stdout.write(`${REPORT_MARKER}${JSON.stringify(report)}\n`);
  // Benchmarks may leave pools or timers behind; the report is out, the process is done.
  process.exit(0);
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--module' && argv[1]) {
    await runInThisProcess(argv[1]);
    return 0;
  }
  const modules = readdirSync(__dirname)
    .filter((file) => file.endsWith('.bench.js'))
    .sort()
    .filter((file) => argv.length === 0 || argv.some((name) => file.includes(name)));
  if (modules.length === 0) {
    process.stderr.write(`no benchmark matches ${argv.join(' ')}\n`);
    return 1;
  }
  let failed = 0;
  for (const file of modules) {
    process.stdout.write(`\n== ${basename(file, '.bench.js')}\n`);
    const code = await runModule(join(__dirname, file));
    if (code !== 0) {
      failed++;
      process.stdout.write(`${basename(file, '.bench.js')}: failed (exit ${code})\n`);
    }
  }
  return failed === 0 ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`bench: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
