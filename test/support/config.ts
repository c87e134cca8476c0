import { loadApiConfig, loadWorkerConfig, type ApiConfig, type WorkerConfig } from '../../libs/config/config';

/**
 * The test driver (scripts/test.sh) exports the real stack's addresses and the test database and
 * namespace; tests take their configuration from there, overriding single values where they need to.
 */
export function testApiConfig(overrides: Record<string, string> = {}): ApiConfig {
  return loadApiConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', ...overrides });
}

export function testWorkerConfig(overrides: Record<string, string> = {}): WorkerConfig {
  return loadWorkerConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', ...overrides });
}
