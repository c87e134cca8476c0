import { isGrpcServiceError } from '@temporalio/client';

// gRPC status codes: DEADLINE_EXCEEDED (4), RESOURCE_EXHAUSTED (8, the server's rate limits) and
// UNAVAILABLE (14, no connection or the server is shutting down).
const UNAVAILABLE_STATUS_CODES = new Set([4, 8, 14]);

/**
 * Whether an error from the Temporal client means that the server could not be reached or did not
 * answer in time (a restart, an overload), rather than a refusal of the request itself. The client
 * wraps gRPC errors in a ServiceError whose `cause` is the gRPC error with its status code.
 */
export function isTemporalUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    if (isGrpcServiceError(current) && UNAVAILABLE_STATUS_CODES.has(current.code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
