/** Where a workflow stands as the Temporal server knows it. */
export type WorkflowState = 'running' | 'closed' | 'not-found';
