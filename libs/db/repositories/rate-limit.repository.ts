import { Prisma } from '../generated/client';
import { type DbClient } from '../db-client';

/**
 * Fixed-window counters shared by every API instance. Not tenant-scoped on purpose (see the
 * RateLimitCounter model): an address is throttled before anyone knows which district it targets.
 */
export class RateLimitRepository {
  constructor(private readonly prisma: DbClient) {}

  /**
   * Counts one hit on each key in the window and returns every key's count after it, in one atomic
   * statement: concurrent requests each see a distinct count, so no burst slips past a limit.
   */
  async hit(keys: readonly string[], windowStart: Date): Promise<Map<string, number>> {
    const rows = await this.prisma.$queryRaw<{ key: string; count: number }[]>`
      INSERT INTO "rate_limit_counters" ("key", "window_start", "count")
      VALUES ${Prisma.join(keys.map((key) => Prisma.sql`(${key}, ${windowStart}, 1)`))}
      ON CONFLICT ("key", "window_start") DO UPDATE SET "count" = "rate_limit_counters"."count" + 1
      RETURNING "key", "count"`;
    return new Map(rows.map((row) => [row.key, Number(row.count)]));
  }

  /**
   * Raises each counter by its amount unless that would take it over its limit, all in one atomic
   * statement, and returns the keys that took their amount. The limit is checked against the row as
   * locked by the upsert, not a snapshot, so concurrent writes can never together overtake it. Rows are
   * locked in the order given (callers sort by key) so concurrent statements cannot deadlock. An
   * amount larger than its limit on a new counter would be inserted: callers refuse those first.
   */
  async consume(
    charges: readonly { key: string; amount: number; limit: number }[],
    windowStart: Date,
  ): Promise<Set<string>> {
    if (charges.length === 0) return new Set();
    const limitOfKey = Prisma.join(
      charges.map(({ key, limit }) => Prisma.sql`WHEN ${key}::text THEN ${limit}::bigint`),
      ' ',
    );
    const rows = await this.prisma.$queryRaw<{ key: string }[]>`
      INSERT INTO "rate_limit_counters" ("key", "window_start", "count")
      VALUES ${Prisma.join(charges.map(({ key, amount }) => Prisma.sql`(${key}, ${windowStart}, ${amount}::bigint)`))}
      ON CONFLICT ("key", "window_start") DO UPDATE
        SET "count" = "rate_limit_counters"."count" + EXCLUDED."count"
        WHERE "rate_limit_counters"."count" + EXCLUDED."count" <= CASE "rate_limit_counters"."key" ${limitOfKey} END
      RETURNING "key"`;
    return new Set(rows.map((row) => row.key));
  }

  /** Gives amounts back to their counters (never below zero): a write that was charged and did not happen. */
  async release(charges: readonly { key: string; amount: number }[], windowStart: Date): Promise<void> {
    const positive = charges.filter((charge) => charge.amount > 0);
    if (positive.length === 0) return;
    await this.prisma.$executeRaw`
      UPDATE "rate_limit_counters" AS c
      SET "count" = GREATEST(c."count" - r."amount", 0)
      FROM (VALUES ${Prisma.join(positive.map(({ key, amount }) => Prisma.sql`(${key}::text, ${amount}::bigint)`))})
        AS r("key", "amount")
      WHERE c."key" = r."key" AND c."window_start" = ${windowStart}`;
  }

  /** Takes back one hit, e.g. an attempt that turned out not to count. */
  async refund(key: string, windowStart: Date): Promise<void> {
    await this.prisma.rateLimitCounter.updateMany({
      where: { key, windowStart, count: { gt: 0 } },
      data: { count: { decrement: 1 } },
    });
  }

  async reset(key: string, windowStart: Date): Promise<void> {
    await this.prisma.rateLimitCounter.deleteMany({ where: { key, windowStart } });
  }

  /** Drops counters of windows that started before `cutoff`; returns how many. */
  async pruneBefore(cutoff: Date): Promise<number> {
    const { count } = await this.prisma.rateLimitCounter.deleteMany({
      where: { windowStart: { lt: cutoff } },
    });
    return count;
  }
}
