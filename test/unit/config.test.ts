import { randomBytes } from 'node:crypto';
import { configProblems, minimalValidEnv } from '../support/config-env';
import { ConfigError, loadApiConfig, loadCliConfig, loadWorkerConfig } from '../../libs/config/config';

const validEnv = minimalValidEnv;
const problemsOf = configProblems;

describe('configuration', () => {
  it('when every required variable is valid, then the API config is typed with defaults filled in', () => {
    const config = loadApiConfig(validEnv());
    expect(config.API_PORT).toBe(3000);
    expect(config.TEMPORAL_ADDRESS).toBe('127.0.0.1:7233');
    expect(config.CLAMD_PORT).toBe(3311);
    expect(config.HOMEROOM_ENV).toBe('local');
  });

  it('when the database connect timeout is not a positive number of milliseconds, then start-up fails naming it', () => {
    expect(loadApiConfig(validEnv()).DATABASE_CONNECT_TIMEOUT_MS).toBe(5_000);
    expect(
      loadApiConfig({ ...validEnv(), DATABASE_CONNECT_TIMEOUT_MS: '750' }).DATABASE_CONNECT_TIMEOUT_MS,
    ).toBe(750);
    for (const bad of ['0', '-1', 'soon', '600000']) {
      expect(problemsOf(() => loadApiConfig({ ...validEnv(), DATABASE_CONNECT_TIMEOUT_MS: bad }))).toEqual([
        expect.stringMatching(/^DATABASE_CONNECT_TIMEOUT_MS: /),
      ]);
    }
  });

  it('when a port is not a number, then start-up fails naming the variable', () => {
    expect(problemsOf(() => loadApiConfig({ ...validEnv(), API_PORT: 'eighty' }))).toEqual([
      expect.stringMatching(/^API_PORT: /),
    ]);
  });

  it("when the worker's metrics settings are left out, then its listener is on loopback and the SDK's metrics are off", () => {
    const config = loadWorkerConfig(validEnv());
    expect([config.WORKER_OPS_HOST, config.WORKER_OPS_PORT]).toEqual(['127.0.0.1', 3002]);
    expect(config.TEMPORAL_METRICS_BIND).toBeUndefined();
    expect(
      loadWorkerConfig({ ...validEnv(), TEMPORAL_METRICS_BIND: '0.0.0.0:9464' }).TEMPORAL_METRICS_BIND,
    ).toBe('0.0.0.0:9464');
  });

  it("when the worker's metrics settings are malformed, then start-up fails naming each", () => {
    const problems = problemsOf(() =>
      loadWorkerConfig({ ...validEnv(), WORKER_OPS_PORT: '70000', TEMPORAL_METRICS_BIND: '9464' }),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^WORKER_OPS_PORT: /),
      expect.stringMatching(/^TEMPORAL_METRICS_BIND: must be host:port/),
    ]);
  });

  it('when the codec key is not 32 bytes, then the error names PAYLOAD_CODEC_KEY', () => {
    const problems = problemsOf(() =>
      loadWorkerConfig({ ...validEnv(), PAYLOAD_CODEC_KEY: randomBytes(16).toString('base64') }),
    );
    expect(problems).toEqual([expect.stringContaining('PAYLOAD_CODEC_KEY: must be base64 of exactly 32')]);
  });

  it('when secrets are missing, then every missing variable is named at once', () => {
    const problems = problemsOf(() => loadApiConfig({ DATABASE_URL: validEnv().DATABASE_URL }));
    expect(problems).toEqual(
      expect.arrayContaining([
        'PAYLOAD_CODEC_KEY: is required',
        'PAYLOAD_CODEC_KEY_ID: is required',
        'MASTER_KEYS: is required',
        'ACTIVE_MASTER_KEY_ID: is required',
        'API_SIGNING_KEY: is required',
        'STORAGE_DIR: is required',
      ]),
    );
  });

  it('when the database URL is not a PostgreSQL URL, then the error says what it must be', () => {
    expect(problemsOf(() => loadCliConfig({ DATABASE_URL: 'mysql://x' }))).toEqual([
      'DATABASE_URL: must be a postgresql:// connection URL',
    ]);
  });

  it('when the environment name is unknown, then start-up fails', () => {
    expect(problemsOf(() => loadCliConfig({ ...validEnv(), HOMEROOM_ENV: 'staging' }))[0]).toMatch(
      /^HOMEROOM_ENV: /,
    );
  });

  it('when the Temporal address has no port, then start-up fails naming TEMPORAL_ADDRESS', () => {
    expect(problemsOf(() => loadApiConfig({ ...validEnv(), TEMPORAL_ADDRESS: 'temporal' }))).toEqual([
      'TEMPORAL_ADDRESS: must be host:port',
    ]);
  });

  it('when a master key is not 32 bytes, then the error names MASTER_KEYS', () => {
    const problems = problemsOf(() =>
      loadApiConfig({ ...validEnv(), MASTER_KEYS: `m1:${randomBytes(16).toString('base64')}` }),
    );
    expect(problems).toEqual([expect.stringMatching(/^MASTER_KEYS: /)]);
  });

  it('when the active master key id is not in the ring, then the error names ACTIVE_MASTER_KEY_ID', () => {
    const problems = problemsOf(() => loadWorkerConfig({ ...validEnv(), ACTIVE_MASTER_KEY_ID: 'm9' }));
    expect(problems).toEqual([expect.stringMatching(/^ACTIVE_MASTER_KEY_ID: /)]);
  });

  it('when the message is rendered, then it lists each variable on its own line', () => {
    const error = new ConfigError(['A: is required', 'B: must be a number']);
    expect(error.message).toBe('Invalid configuration:\n  - A: is required\n  - B: must be a number');
  });
});
