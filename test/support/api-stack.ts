import { type Pool } from 'pg';
import { testApiConfig, testWorkerConfig } from './config';
import { createTestPool } from './database';
import { openTestDatabase, type TestDatabase } from './factories';
import { type RunningApi, startApi } from './http';
import { startTestWorkers, type TestWorkers } from './workers';

/**
 * Sign-in limits high enough for suites that fail sign-ins on purpose; the limits themselves have their
 * own suite (auth-rate-limit.test.ts).
 */
export const LENIENT_LOGIN_LIMITS: Readonly<Record<string, string>> = {
  LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: '1000',
  LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '1000',
};

export interface ApiStack {
  api: RunningApi;
  database: TestDatabase;
  stop(): Promise<void>;
}

/**
 * What an HTTP suite without a worker starts from: the real API on the test configuration (with
 * `overrides`) and the test database, stopped together in afterAll.
 */
export async function startApiStack(overrides: Record<string, string> = {}): Promise<ApiStack> {
  const database = openTestDatabase();
  const api = await startApi(testApiConfig(overrides));
  return {
    api,
    database,
    async stop() {
      await api.close();
      await database.close();
    },
  };
}

export interface AppStack {
  api: RunningApi;
  /** Absent when started with `workers: false`. */
  workers: TestWorkers | undefined;
  /** For reading and arranging rows directly (roster-factory, assertions on stored state). */
  pool: Pool;
  stop(): Promise<void>;
}

export interface AppStackOptions {
  /** Configuration both processes run with (a task queue of the suite's own, its storage directory). */
  overrides?: Record<string, string>;
  /** Added for the API only. */
  apiOverrides?: Record<string, string>;
  /** Added for the worker only. */
  workerOverrides?: Record<string, string>;
  workers?: boolean;
}

/**
 * What an HTTP suite whose requests start workflows starts from: the real API and (unless `workers:
 * false`) the real worker, on the test configuration, and a pool on the test database; `stop` ends them
 * in that order.
 */
export async function startAppStack(options: AppStackOptions = {}): Promise<AppStack> {
  const pool = createTestPool();
  const api = await startApi(testApiConfig({ ...options.overrides, ...options.apiOverrides }));
  const workers =
    options.workers === false
      ? undefined
      : await startTestWorkers(testWorkerConfig({ ...options.overrides, ...options.workerOverrides }));
  return {
    api,
    workers,
    pool,
    async stop() {
      await workers?.stop();
      await api.close();
      await pool.end();
    },
  };
}
