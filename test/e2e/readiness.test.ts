import {
  freePort,
  type ManagedProcess,
  spawnApi,
  startPrivateClamd,
  startPrivateTemporal,
  waitFor,
} from '../support/processes';

interface ReadyBody {
  status: string;
  checks: Record<'postgres' | 'temporal' | 'clamd', 'up' | 'down'>;
}

/**
 * The compiled API process against a clamd and a Temporal server of this test's own, so they can be
 * stopped and started again without disturbing other suites.
 */
describe('readiness when dependencies stop and return', () => {
  let clamd: ManagedProcess & { dir: string };
  let temporal: ManagedProcess;
  let api: ManagedProcess;
  let baseUrl: string;
  let clamdPort: number;
  let temporalPort: number;

  const ready = async () => {
    const res = await fetch(`${baseUrl}/health/ready`);
    return { status: res.status, body: (await res.json()) as ReadyBody };
  };
  const readyWith = (status: number) =>
    waitFor(`readiness ${status}`, async () => {
      const r = await ready();
      return r.status === status ? r : undefined;
    });

  beforeAll(async () => {
    [clamdPort, temporalPort] = [await freePort(), await freePort()];
    const apiPort = await freePort();
    [clamd, temporal] = await Promise.all([startPrivateClamd(clamdPort), startPrivateTemporal(temporalPort)]);
    api = spawnApi({
      API_PORT: String(apiPort),
      CLAMD_PORT: String(clamdPort),
      TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
      TEMPORAL_NAMESPACE: 'default',
      HEALTH_CHECK_TIMEOUT_MS: '1000',
      HEALTH_CACHE_MS: '200',
    });
    baseUrl = `http://127.0.0.1:${apiPort}`;
    await waitFor('API to listen', async () =>
      (await fetch(`${baseUrl}/health/live`)).ok ? true : undefined,
    );
  }, 90_000);

  afterAll(async () => {
    await Promise.all([api?.stop(), clamd?.stop(), temporal?.stop()]);
  });

  it('when everything answers, then readiness is 200 with every check up and nothing else', async () => {
    const { body } = await readyWith(200);
    expect(body).toEqual({ status: 'ok', checks: { postgres: 'up', temporal: 'up', clamd: 'up' } });
  });

  it('when clamd stops, then readiness is 503 naming clamd, the API stays up, and recovers when clamd returns', async () => {
    await clamd.stop();
    const { body } = await readyWith(503);
    // Status words only: no error text, addresses or versions on the public route.
    expect(body).toEqual({
      status: 'unavailable',
      checks: { postgres: 'up', temporal: 'up', clamd: 'down' },
      error: { code: 'UNAVAILABLE', message: 'Not ready: a dependency is down.' },
    });
    expect((await fetch(`${baseUrl}/health/live`)).status).toBe(200);
    expect(api.child.exitCode).toBeNull();

    clamd = await startPrivateClamd(clamdPort, clamd.dir);
    expect((await readyWith(200)).body.checks.clamd).toBe('up');
  }, 60_000);

  it('when the Temporal server stops, then readiness is 503 naming Temporal and the API stays up', async () => {
    await temporal.stop();
    const { body } = await readyWith(503);
    expect(body.checks).toEqual({ postgres: 'up', temporal: 'down', clamd: 'up' });
    expect((await fetch(`${baseUrl}/health/live`)).status).toBe(200);
    expect(api.child.exitCode).toBeNull();

    temporal = await startPrivateTemporal(temporalPort);
    expect((await readyWith(200)).body.checks.temporal).toBe('up');
  }, 90_000);
});

describe('start-up configuration', () => {
  it('when a variable is invalid, then the API refuses to start and names it', async () => {
    const api = spawnApi({ API_PORT: 'eighty', MASTER_KEYS: 'not a key list' });
    await new Promise((resolve) => api.child.once('exit', resolve));
    expect(api.child.exitCode).toBe(78);
    expect(api.output()).toContain('API_PORT');
    expect(api.output()).toContain('MASTER_KEYS');
  });
});
