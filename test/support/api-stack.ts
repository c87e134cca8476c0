import { testApiConfig } from './config';
import { openTestDatabase, type TestDatabase } from './factories';
import { type RunningApi, startApi } from './http';

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
