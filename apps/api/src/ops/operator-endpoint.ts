import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type ApiConfig } from '../../../../libs/config/config';
import { type Logger } from '../../../../libs/logging/logger';
import { type ApiMetrics } from '../../../../libs/logging/metrics';
import { API_CONFIG, API_METRICS, LOGGER } from '../common/tokens';
import { HealthService } from '../health/health.service';
import { EventLoopMonitor } from './event-loop-monitor';

/**
 * A second listener for operators, on its own address (OPS_HOST:OPS_PORT, loopback by default, never
 * published to the internet): dependency details with error text and versions, the event loop's
 * delay and the Prometheus metrics. It has no routes of the public API and the public API has none of
 * these.
 */
@Injectable()
export class OperatorEndpoint implements OnApplicationBootstrap, OnApplicationShutdown {
  private server: Server | undefined;

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly health: HealthService,
    private readonly eventLoop: EventLoopMonitor,
    @Inject(API_METRICS) private readonly metrics: ApiMetrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const server = createServer((req, res) => {
      void this.answer(req.method ?? '', req.url ?? '').then(({ status, body, contentType }) => {
        res.writeHead(status, {
          'content-type': contentType ?? 'application/json',
          'cache-control': 'no-store',
        });
        res.end(typeof body === 'string' ? body : JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.OPS_PORT, this.config.OPS_HOST, () => resolve());
    });
    this.server = server;
    this.logger.info({ address: this.address() }, 'operator endpoint listening');
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Where it listens (tests bind port 0 and ask). */
  address(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    return address ? `http://${this.config.OPS_HOST}:${address.port}` : '';
  }

  private async answer(
    method: string,
    url: string,
  ): Promise<{ status: number; body: unknown; contentType?: string }> {
    if (method !== 'GET') return { status: 405, body: { error: 'GET only' } };
    try {
      switch (url) {
        case '/health': {
          const readiness = await this.health.readiness();
          return { status: readiness.ready ? 200 : 503, body: { ...readiness, node: process.version } };
        }
        case '/event-loop':
          return { status: 200, body: this.eventLoop.report() };
        case '/metrics': {
          const { registry } = this.metrics;
          return { status: 200, body: await registry.metrics(), contentType: registry.contentType };
        }
        default:
          return {
            status: 404,
            body: { error: 'not found', routes: ['/health', '/event-loop', '/metrics'] },
          };
      }
    } catch (error) {
      this.logger.error({ err: error }, 'operator endpoint failed');
      return { status: 500, body: { error: 'failed; see the API log' } };
    }
  }
}
