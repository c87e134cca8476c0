/** The contract's error shape (API.md), with the correlation id added so support can find the log line. */
export interface ErrorBody {
  error: { code: string; message: string; correlationId?: string; details?: unknown };
}

export function errorBody(
  code: string,
  message: string,
  correlationId?: string,
  details?: unknown,
): ErrorBody {
  return {
    error: { code, message, ...(correlationId ? { correlationId } : {}), ...(details ? { details } : {}) },
  };
}
