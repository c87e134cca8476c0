/**
 * The arithmetic of an announcement fan-out, shared by the workflow (which must stay deterministic and
 * so imports nothing with side effects) and the activities.
 *
 * Recipients are split into batches by a hash of their user id rather than by position in a sorted
 * list: batch k holds the recipients whose id hashes to k modulo the batch count. A recipient's batch
 * therefore never depends on who else is on the roster, so a student added or removed while the
 * fan-out runs cannot shift anyone into a batch that already ran, and the workflow history needs only
 * the batch count, never a user id.
 */

/** Rows per batch activity, on average: one multi-row INSERT each (STYLE.md rule 11). */
export const FAN_OUT_BATCH_SIZE = 500;

/** Batch activities in flight at once per fan-out: bounded so one large section cannot flood the queue. */
export const FAN_OUT_MAX_IN_FLIGHT = 8;

/** Batches one workflow run schedules before it continues as new, keeping each history short. */
export const FAN_OUT_BATCHES_PER_RUN = 1_000;

/** How many batches a fan-out of `recipientCount` recipients uses; zero recipients need none. */
export function fanOutBatchCount(recipientCount: number, batchSize: number = FAN_OUT_BATCH_SIZE): number {
  if (!Number.isInteger(recipientCount) || recipientCount < 0) {
    throw new RangeError(`recipientCount must be a non-negative integer, got ${recipientCount}`);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  }
  return Math.ceil(recipientCount / batchSize);
}

/**
 * The batch a recipient belongs to: the last 32 bits of the UUID (random in v4 and v7 ids) modulo the
 * batch count. The SQL twin is in libs/db/repositories/delivery.repository.ts; a test keeps them equal.
 */
export function recipientBatch(recipientId: string, batchCount: number): number {
  if (!Number.isInteger(batchCount) || batchCount < 1) {
    throw new RangeError(`batchCount must be a positive integer, got ${batchCount}`);
  }
  const hex = recipientId.replaceAll('-', '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new RangeError('recipientId must be a UUID');
  return Number.parseInt(hex.slice(-8), 16) % batchCount;
}
