/**
 * The arithmetic of an announcement fan-out, shared by the workflow (which must stay deterministic and
 * so imports nothing with side effects) and the activities.
 *
 * Batches are ranges of the section's student ids: the UUID space is cut into `batchCount` equal
 * ranges by the ids' first 32 bits, and batch k delivers to the students whose id falls in range k and
 * to their linked guardians. So:
 * - a batch reads only its own students through the (section_id, user_id) index, and a fan-out costs
 *   work in proportion to its recipients, not recipients times batches;
 * - a student's batch never depends on who else is on the roster, so someone added or removed while
 *   the fan-out runs cannot shift anyone into a batch that already ran;
 * - the workflow history holds the batch number and count only, never a user id.
 * Ids are random (v4) UUIDs, so ranges hold about the same number of students. A guardian of students
 * in two ranges is written by both batches; the (announcement, recipient) key keeps one row.
 */

/** Deliveries per batch activity, on average: one multi-row INSERT each (STYLE.md rule 11). */
export const FAN_OUT_BATCH_SIZE = 500;

/** Batch activities in flight at once per fan-out: bounded so one large section cannot flood the queue. */
export const FAN_OUT_MAX_IN_FLIGHT = 8;

/** Batches one workflow run schedules before it continues as new, keeping each history short. */
export const FAN_OUT_BATCHES_PER_RUN = 1_000;

const PREFIX_SPACE = 2 ** 32;

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

export interface StudentIdRange {
  /** Inclusive lower bound. */
  from: string;
  /** Exclusive upper bound; null for the last batch, which runs to the end of the UUID space. */
  to: string | null;
}

/** The student ids batch `batch` of `batchCount` covers. The ranges tile the whole UUID space. */
export function studentIdRange(batch: number, batchCount: number): StudentIdRange {
  assertBatch(batch, batchCount);
  return {
    from: uuidWithPrefix(rangeStart(batch, batchCount)),
    to: batch + 1 < batchCount ? uuidWithPrefix(rangeStart(batch + 1, batchCount)) : null,
  };
}

/** The batch whose range holds `studentId`. */
export function batchOfStudent(studentId: string, batchCount: number): number {
  assertBatch(0, batchCount);
  const hex = studentId.replaceAll('-', '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new RangeError('studentId must be a UUID');
  const prefix = Number.parseInt(hex.slice(0, 8), 16);
  let batch = Math.min(batchCount - 1, Math.floor((prefix * batchCount) / PREFIX_SPACE));
  while (batch + 1 < batchCount && rangeStart(batch + 1, batchCount) <= prefix) batch++;
  while (rangeStart(batch, batchCount) > prefix) batch--;
  return batch;
}

function rangeStart(batch: number, batchCount: number): number {
  return Math.floor((batch * PREFIX_SPACE) / batchCount);
}

function uuidWithPrefix(prefix: number): string {
  return `${prefix.toString(16).padStart(8, '0')}-0000-0000-0000-000000000000`;
}

function assertBatch(batch: number, batchCount: number): void {
  if (!Number.isInteger(batchCount) || batchCount < 1) {
    throw new RangeError(`batchCount must be a positive integer, got ${batchCount}`);
  }
  if (!Number.isInteger(batch) || batch < 0 || batch >= batchCount) {
    throw new RangeError(`batch must be an integer in [0, ${batchCount}), got ${batch}`);
  }
}
