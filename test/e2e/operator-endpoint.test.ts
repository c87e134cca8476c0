import { HealthService } from '../../apps/api/src/health/health.service';
import { OperatorEndpoint } from '../../apps/api/src/ops/operator-endpoint';
import { testApiConfig } from '../support/config';
import { request, type RunningApi, startApi } from '../support/http';

interface OpsHealth {
  ready: boolean;
  checks: Record<'postgres' | 'temporal' | 'clamd', { status: string; latencyMs: number; version?: string }>;
  node: string;
}
interface OpsEventLoop {
  current: { max: number; p99: number; samples: number };
  maxSinceStartMs: number;
}

/** Details for operators on their own listener; the public API keeps to status words. */
describe('operator endpoint and public health', () => {
  let api: RunningApi;
  let ops: string;

  beforeAll(async () => {
    api = await startApi(testApiConfig({ HEALTH_CACHE_MS: '1000' }));
    ops = api.app.get(OperatorEndpoint).address();
  });
  afterAll(async () => {
    await api?.close();
  });

  it('when an operator asks for health, then each dependency is named with its version and latency', async () => {
    const res = await request<OpsHealth>(ops, 'GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body.ready).toBe(true);
    expect(res.body.checks.postgres).toEqual(
      expect.objectContaining({ status: 'up', version: expect.stringMatching(/^PostgreSQL 15/) }),
    );
    expect(res.body.checks.temporal).toEqual(
      expect.objectContaining({ status: 'up', version: expect.stringMatching(/^Temporal /) }),
    );
    expect(res.body.checks.clamd).toEqual(
      expect.objectContaining({ status: 'up', version: expect.stringMatching(/^ClamAV /) }),
    );
    expect(res.body.node).toBe(process.version);
  });

  it('when the public readiness route answers, then it says up or down only', async () => {
    const res = await request<Record<string, unknown>>(api.baseUrl, 'GET', '/health/ready');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', checks: { postgres: 'up', temporal: 'up', clamd: 'up' } });
  });

  it('when readiness is asked many times within the cache time, then the dependencies are checked once', async () => {
    const health = api.app.get(HealthService);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 50 }, () => health.readiness()));
    await Promise.all(Array.from({ length: 50 }, () => request(api.baseUrl, 'GET', '/health/ready')));
    const after = await health.readiness();
    const elapsed = Date.now() - started;
    // One round of checks per cache time at most (a loaded machine may spread the calls over two):
    // without the cache, each of the 101 calls would have checked.
    const rounds = new Set([...answers, after].map((r) => r.checkedAt.getTime()));
    expect(rounds.size).toBeLessThanOrEqual(1 + Math.floor(elapsed / 1_000));
    expect(new Set(answers.map((r) => r.checkedAt.getTime())).size).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await health.readiness()).checkedAt.getTime()).toBeGreaterThan(Math.max(...rounds));
  });

  it('when the event loop is blocked, then the operator view reports the delay', async () => {
    // The API runs in this process: blocking this loop blocks the API's.
    await new Promise<void>((resolve) =>
      setImmediate(() => {
        const until = Date.now() + 300;
        while (Date.now() < until) {
          // busy: nothing else may run
        }
        resolve();
      }),
    );
    const res = await request<OpsEventLoop>(ops, 'GET', '/event-loop');
    expect(res.status).toBe(200);
    expect(res.body.current.samples).toBeGreaterThan(0);
    expect(res.body.maxSinceStartMs).toBeGreaterThanOrEqual(250);
  });

  it('when the public API is asked for the operator routes, then they do not exist there', async () => {
    for (const path of ['/health', '/event-loop']) {
      expect((await request(api.baseUrl, 'GET', path)).status).toBe(404);
    }
  });

  it('when the operator endpoint is asked for anything else, then 404 or 405', async () => {
    expect((await request(ops, 'GET', '/v1/me')).status).toBe(404);
    expect((await request(ops, 'POST', '/health')).status).toBe(405);
  });
});
