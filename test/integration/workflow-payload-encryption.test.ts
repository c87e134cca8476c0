import { randomUUID } from 'node:crypto';
import { type RunningApi, startApi } from '../support/http';
import { testApiConfig, testWorkerConfig } from '../support/config';
import { startTestWorkers, type TestWorkers } from '../support/workers';
import { TemporalClientService } from '../../apps/api/src/temporal/temporal-client.service';
import { ENCRYPTED_ENCODING } from '../../libs/crypto/payload-codec';
import { workflowIds } from '../../libs/adapters/temporal/workflow-safe/workflow-ids';
import { diagnosticsWorkflow } from '../../workflows';
import { collectPayloads, historyText } from '../support/temporal-history';

describe('workflow payloads in the Temporal history', () => {
  let api: RunningApi;
  let workers: TestWorkers;

  beforeAll(async () => {
    api = await startApi(testApiConfig());
    workers = await startTestWorkers(testWorkerConfig());
  });
  afterAll(async () => {
    await workers?.stop();
    await api?.close();
  });

  it('when a workflow runs through the API client and the worker, then its history holds only encrypted payloads', async () => {
    const temporalClient = api.app.get(TemporalClientService);
    const marker = `probe-${randomUUID()}`;
    const workflowId = workflowIds.diagnostics(randomUUID());
    const handle = await temporalClient.client.workflow.start(diagnosticsWorkflow, {
      taskQueue: testApiConfig().TEMPORAL_TASK_QUEUE,
      workflowId,
      args: [{ probeId: marker }],
    });
    const result = await handle.result();
    expect(result.probeId).toBe(marker);

    const { history } = await temporalClient.client.workflowService.getWorkflowExecutionHistory({
      namespace: temporalClient.client.options.namespace,
      execution: { workflowId },
    });
    const payloads = collectPayloads(history?.events ?? []);
    // Input, activity input, activity result and workflow result at the least.
    expect(payloads.length).toBeGreaterThanOrEqual(4);
    for (const payload of payloads) {
      expect(Buffer.from(payload.metadata!.encoding!).toString()).toBe(ENCRYPTED_ENCODING);
      expect(Buffer.from(payload.data!).includes(marker)).toBe(false);
    }
    const rawHistory = historyText(history);
    expect(rawHistory).not.toContain(marker);
    expect(rawHistory).not.toContain('json/plain');
  });
});
