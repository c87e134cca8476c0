export function createDiagnosticsActivities() {
  return {
    async echoProbe(probeId: string): Promise<{ probeId: string; echoedAt: string }> {
      return { probeId, echoedAt: new Date().toISOString() };
    },
  };
}
