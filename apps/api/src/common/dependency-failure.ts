import { isDatabaseUnavailable } from '../../../../libs/db/database-unavailable';
import { isTemporalUnavailable } from '../../../../libs/adapters/temporal/temporal-unavailable';

export type Dependency = 'postgres' | 'temporal';

/**
 * Which dependency an error says is down, as its adapter classifies it (libs/db, libs/temporal), or
 * undefined for every other error. Whatever the request was doing when the connection went, it may be
 * retried: reads change nothing and message sends carry an Idempotency-Key.
 */
export function unavailableDependency(exception: unknown): Dependency | undefined {
  if (isDatabaseUnavailable(exception)) return 'postgres';
  if (isTemporalUnavailable(exception)) return 'temporal';
  return undefined;
}
