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

  /**
   * Raises each counter by its amount unless that would take it over its limit, and returns the keys
   * that took their amount. The `then` counters are only tried when every `first` counter took its
   * amount: a write refused by its own limits never touches a shared one, not even for a moment.
   *
   * One statement, so one round trip and one atomic commit. Each limit is checked against the row as
   * locked by the upsert, not a snapshot, so concurrent writes can never together overtake it. Rows
   * are locked in the order given (callers sort each group by key, and every statement locks its
   * `first` rows before its `then` rows) so concurrent statements cannot wait for each other in a
   * cycle. An amount larger than its limit on a new counter would be inserted: callers refuse those
   * first.
   */
  async consume(
    first: readonly { key: string; amount: number; limit: number }[],
    then: readonly { key: string; amount: number; limit: number }[],
    windowStart: Date,
  ): Promise<Set<string>> {
    const all = [...first, ...then];
    if (first.length === 0 || then.length === 0) throw new Error('consume needs both groups of counters');
    const limitOfKey = Prisma.join(
      all.map(({ key, limit }) => Prisma.sql`WHEN ${key}::text THEN ${limit}::bigint`),
      ' ',
    );
    const rows = (group: readonly { key: string; amount: number }[]) =>
      Prisma.join(group.map(({ key, amount }) => Prisma.sql`(${key}::text, ${amount}::bigint)`));
    const taken = await this.prisma.$queryRaw<{ key: string }[]>`
      WITH first_taken AS (
        INSERT INTO "rate_limit_counters" ("key", "window_start", "count")
        SELECT v."key", ${windowStart}, v."amount" FROM (VALUES ${rows(first)}) AS v("key", "amount")
        ON CONFLICT ("key", "window_start") DO UPDATE
          SET "count" = "rate_limit_counters"."count" + EXCLUDED."count"
          WHERE "rate_limit_counters"."count" + EXCLUDED."count" <= CASE "rate_limit_counters"."key" ${limitOfKey} END
        RETURNING "key"
      ), then_taken AS (
        INSERT INTO "rate_limit_counters" ("key", "window_start", "count")
        SELECT v."key", ${windowStart}, v."amount" FROM (VALUES ${rows(then)}) AS v("key", "amount")
        WHERE (SELECT count(*) FROM first_taken) = ${first.length}
        ON CONFLICT ("key", "window_start") DO UPDATE
          SET "count" = "rate_limit_counters"."count" + EXCLUDED."count"
          WHERE "rate_limit_counters"."count" + EXCLUDED."count" <= CASE "rate_limit_counters"."key" ${limitOfKey} END
        RETURNING "key"
      )
      SELECT "key" FROM first_taken UNION ALL SELECT "key" FROM then_taken`;
    return new Set(taken.map((row) => row.key));
  }

  /**
   * Gives amounts back to their counters (never below zero): a write that was charged and did not
   * happen, or used less. One statement per counter, so no statement holds one counter's lock while
   * waiting for another's (which could deadlock against `consume`).
   */
  async release(charges: readonly { key: string; amount: number }[], windowStart: Date): Promise<void> {
    for (const { key, amount } of charges) {
      if (amount <= 0) continue;
      await this.prisma.$executeRaw`
        UPDATE "rate_limit_counters" SET "count" = GREATEST("count" - ${amount}::bigint, 0)
        WHERE "key" = ${key} AND "window_start" = ${windowStart}`;
    }
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
