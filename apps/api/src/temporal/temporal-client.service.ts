import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Client, Connection } from '@temporalio/client';
import { type ApiConfig } from '../../../../libs/config/config';
import { createDataConverter } from '../../../../libs/adapters/temporal/data-converter';
import { API_CONFIG } from '../common/tokens';

/**
 * The API's Temporal client. The connection is lazy so the API starts (and reports Temporal as down in
 * readiness) while the Temporal server is unreachable; gRPC reconnects on its own when it returns.
 */
@Injectable()
export class TemporalClientService implements OnModuleDestroy {
  readonly connection: Connection;
  readonly client: Client;
  readonly taskQueue: string;
  readonly scanTaskQueue: string;

  constructor(@Inject(API_CONFIG) config: ApiConfig) {
    this.connection = Connection.lazy({
      address: config.TEMPORAL_ADDRESS,
      // gRPC's default reconnect backoff grows to two minutes; after a Temporal restart the API would
      // keep answering 503 for that long. A retry every second at most costs a restarted server nothing.
      channelArgs: { 'grpc.initial_reconnect_backoff_ms': 200, 'grpc.max_reconnect_backoff_ms': 1_000 },
    });
    this.client = new Client({
      connection: this.connection,
      namespace: config.TEMPORAL_NAMESPACE,
      dataConverter: createDataConverter(config),
    });
    this.taskQueue = config.TEMPORAL_TASK_QUEUE;
    this.scanTaskQueue = config.TEMPORAL_SCAN_TASK_QUEUE;
  }

  /** The server's answer to GetSystemInfo: the cheapest question that proves it serves. */
  async systemInfo(timeoutMs: number): Promise<{ serverVersion?: string | null }> {
    return this.connection.withDeadline(Date.now() + timeoutMs, () =>
      this.connection.workflowService.getSystemInfo({}),
    );
  }

  async onModuleDestroy(): Promise<void> {
    await this.connection.close();
  }
}
