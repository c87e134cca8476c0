import { proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';

const { echoProbe } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3 },
});

export interface DiagnosticsInput {
  probeId: string;
}

/**
 * The smallest round trip through client, server, worker and an activity. Operators and tests use it to
 * check that the worker runs and that payloads reach the server's history encrypted.
 */
export async function diagnosticsWorkflow(
  input: DiagnosticsInput,
): Promise<{ probeId: string; echoedAt: string }> {
  return echoProbe(input.probeId);
}
