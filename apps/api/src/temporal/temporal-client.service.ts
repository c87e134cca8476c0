import { Client, Connection } from '@temporalio/client';

/**
 * The API's Temporal connection and its client (payload codec included), built once by the
 * composition root. Services start, query and cancel workflows through the WorkflowGateway over this
 * client; readiness asks the connection itself.
 */
export class TemporalClientService {
  constructor(
    readonly connection: Connection,
    readonly client: Client,
  ) {}

  /** The server's answer to GetSystemInfo: the cheapest question that proves it serves. */
  async systemInfo(timeoutMs: number): Promise<{ serverVersion?: string | null }> {
    return this.connection.withDeadline(Date.now() + timeoutMs, () =>
      this.connection.workflowService.getSystemInfo({}),
    );
  }
}
