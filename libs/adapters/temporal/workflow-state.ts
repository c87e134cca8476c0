import { type Client, WorkflowNotFoundError } from '@temporalio/client';

export type WorkflowState = 'running' | 'closed' | 'not-found';

/** Where a workflow stands as the Temporal server knows it; other failures (server down) are thrown. */
export async function workflowState(client: Client, workflowId: string): Promise<WorkflowState> {
  try {
    const description = await client.workflow.getHandle(workflowId).describe();
    return description.status.name === 'RUNNING' ? 'running' : 'closed';
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return 'not-found';
    throw error;
  }
}
