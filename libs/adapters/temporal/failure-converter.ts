import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Failure messages and stack traces go through the payload codec too, so an error that quotes a value
 * cannot leave it readable in the workflow history. Loaded by path (Temporal's converter contract), both
 * by clients and inside the workflow bundle.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
