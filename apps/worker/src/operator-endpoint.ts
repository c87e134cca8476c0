import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type Logger } from '../../../libs/logging/logger';
import { type WorkerMetrics } from '../../../libs/logging/metrics';

/**
 * The worker's listener for operators (WORKER_OPS_HOST:WORKER_OPS_PORT, loopback by default, never
 * published): the Prometheus metrics of the process. The Temporal SDK's own worker metrics are served
 * by the SDK on TEMPORAL_METRICS_BIND.
 */
export class WorkerOperatorEndpoint {
  private constructor(
    private readonly server: Server,
    private readonly host: string,
  ) {}

  static async listen(
    host: string,
    port: number,
    metrics: WorkerMetrics,
    logger: Logger,
  ): Promise<WorkerOperatorEndpoint> {
    const server = createServer((req, res) => {
      const answer = (status: number, contentType: string, body: string) => {
        res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
        res.end(body);
      };
      if (req.method !== 'GET') return answer(405, 'application/json', '{"error":"GET only"}');
      if (req.url !== '/metrics') {
        return answer(404, 'application/json', '{"error":"not found","routes":["/metrics"]}');
      }
      metrics.registry.metrics().then(
        (text) => answer(200, metrics.registry.contentType, text),
        (error: unknown) => {
          logger.error({ err: error }, 'worker operator endpoint failed');
          answer(500, 'application/json', '{"error":"failed; see the worker log"}');
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const endpoint = new WorkerOperatorEndpoint(server, host);
    logger.info({ address: endpoint.address() }, 'worker operator endpoint listening');
    return endpoint;
  }

  /** Where it listens (tests bind port 0 and ask). */
  address(): string {
    const address = this.server.address() as AddressInfo | null;
    return address ? `http://${this.host}:${address.port}` : '';
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
