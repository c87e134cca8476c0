import { createWorkerMetrics } from '../../../libs/logging/metrics';

describe('worker metrics: the workflow outbox lag', () => {
  it('when the drainer has measured a lag, then each scrape reports its pending rows and the oldest age in seconds', async () => {
    const metrics = createWorkerMetrics();
    let lag = { pending: 3, oldestMs: 2_500 };
    metrics.watchOutbox(() => lag);

    let text = await metrics.registry.metrics();
    expect(text).toMatch(/^homeroom_outbox_pending 3$/m);
    expect(text).toMatch(/^homeroom_outbox_lag_seconds 2\.5$/m);

    lag = { pending: 0, oldestMs: 0 };
    text = await metrics.registry.metrics();
    expect(text).toMatch(/^homeroom_outbox_pending 0$/m);
    expect(text).toMatch(/^homeroom_outbox_lag_seconds 0$/m);
  });

  it('when no drainer is watched, then the gauges stay at zero rather than inventing a lag', async () => {
    const text = await createWorkerMetrics().registry.metrics();
    expect(text).toMatch(/^homeroom_outbox_pending 0$/m);
    expect(text).toMatch(/^homeroom_outbox_lag_seconds 0$/m);
  });
});
