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
   * Deletes the `source` counter and takes its count off `target` (not below zero), in one statement,
   * e.g. to forgive an address the attempts it made on an account that then signed in.
   */
  async moveOff(source: string, target: string, windowStart: Date): Promise<void> {
    await this.prisma.$executeRaw`
      WITH "taken" AS (
        DELETE FROM "rate_limit_counters" WHERE "key" = ${source} AND "window_start" = ${windowStart}
        RETURNING "count"
      )
      UPDATE "rate_limit_counters"
      SET "count" = GREATEST(0, "count" - (SELECT COALESCE(SUM("count"), 0) FROM "taken"))
      WHERE "key" = ${target} AND "window_start" = ${windowStart}`;
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
