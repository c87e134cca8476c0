import { type Pool } from 'pg';
import { Database } from '../../libs/db/database';
import { homeroom } from '../support/cli';
import { createTestPool, testDatabaseUrl } from '../support/database';

describe('the hash-chained audit log', () => {
  let db: Database;
  let pool: Pool;

  beforeAll(() => {
    db = Database.open(testDatabaseUrl(), { poolSize: 4 });
    pool = createTestPool();
  });
  afterAll(async () => {
    await db.disconnect();
    await pool.end();
  });

  async function districtWithEvents(count: number): Promise<string> {
    const { id } = await db.districts.create('Audit test district');
    const audit = db.forDistrict(id).audit;
    for (let i = 1; i <= count; i++) {
      await audit.append({ action: 'test.event', targetType: 'user', targetId: null, details: { n: i } });
    }
    return id;
  }

  /** Tampering as an attacker with database access would: with the append-only trigger bypassed. */
  async function tamper(sql: string, params: unknown[]): Promise<void> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL session_replication_role = replica');
      await client.query(sql, params);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  }

  it('when nothing was touched, then verification passes over every row', async () => {
    const districtId = await districtWithEvents(5);
    expect(await db.forDistrict(districtId).audit.verify()).toEqual({ ok: true, checked: 5 });
  });

  it('when concurrent writers append, then seq stays gap-free and the chain verifies', async () => {
    const districtId = await districtWithEvents(0);
    const audit = db.forDistrict(districtId).audit;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => audit.append({ action: 'test.concurrent', details: { i } })),
    );
    expect(await audit.verify()).toEqual({ ok: true, checked: 20 });
  });

  it('when a row is edited through SQL, then verification names that row', async () => {
    const districtId = await districtWithEvents(5);
    await tamper(`UPDATE audit_events SET details = '{"n": 99}' WHERE district_id = $1 AND seq = 3`, [
      districtId,
    ]);
    expect(await db.forDistrict(districtId).audit.verify()).toMatchObject({ ok: false, firstBrokenSeq: '3' });
  });

  it('when a row is edited and its hash recomputed, then the next row no longer follows it', async () => {
    const districtId = await districtWithEvents(5);
    await tamper(
      `UPDATE audit_events SET action = 'nothing.happened', hash = repeat('a', 64) WHERE district_id = $1 AND seq = 2`,
      [districtId],
    );
    expect(await db.forDistrict(districtId).audit.verify()).toMatchObject({ ok: false, firstBrokenSeq: '2' });
  });

  it('when a row is deleted from the middle, then verification names the missing row', async () => {
    const districtId = await districtWithEvents(5);
    await tamper('DELETE FROM audit_events WHERE district_id = $1 AND seq = 2', [districtId]);
    expect(await db.forDistrict(districtId).audit.verify()).toMatchObject({ ok: false, firstBrokenSeq: '2' });
  });

  it('when the head record is deleted, then verification says the log has rows but no head', async () => {
    const districtId = await districtWithEvents(2);
    await tamper('DELETE FROM audit_heads WHERE district_id = $1', [districtId]);
    expect(await db.forDistrict(districtId).audit.verify()).toEqual({
      ok: false,
      checked: 0,
      firstBrokenSeq: '1',
      problem: 'the log has rows but no head record',
    });
  });

  it('when the newest row is deleted, then the head record exposes it', async () => {
    const districtId = await districtWithEvents(4);
    await tamper('DELETE FROM audit_events WHERE district_id = $1 AND seq = 4', [districtId]);
    expect(await db.forDistrict(districtId).audit.verify()).toMatchObject({ ok: false, firstBrokenSeq: '4' });
  });

  it('when the chain spans many pages, then verification walks them all and still names an edited row', async () => {
    const districtId = await districtWithEvents(7);
    const audit = db.forDistrict(districtId).audit;
    expect(await audit.verify({ pageSize: 2 })).toEqual({ ok: true, checked: 7 });
    await tamper(`UPDATE audit_events SET details = '{"n": 0}' WHERE district_id = $1 AND seq = 6`, [
      districtId,
    ]);
    expect(await audit.verify({ pageSize: 2 })).toMatchObject({ ok: false, checked: 5, firstBrokenSeq: '6' });
  });

  it('when a row is forged past the head with a valid link, then verification reports it', async () => {
    const districtId = await districtWithEvents(3);
    await tamper(
      `INSERT INTO audit_events (id, district_id, seq, occurred_at, action, details, prev_hash, hash)
       SELECT gen_random_uuid(), district_id, 4, now(), 'forged.event', '{}'::jsonb, hash, repeat('b', 64)
       FROM audit_events WHERE district_id = $1 AND seq = 3`,
      [districtId],
    );
    expect(await db.forDistrict(districtId).audit.verify({ pageSize: 2 })).toMatchObject({
      ok: false,
      checked: 3,
      firstBrokenSeq: '4',
    });
  });

  it('when events are appended while verification runs, then it passes over the rows up to the head it read', async () => {
    const districtId = await districtWithEvents(10);
    const audit = db.forDistrict(districtId).audit;
    const [verdict] = await Promise.all([
      audit.verify({ pageSize: 1 }),
      (async () => {
        for (let i = 0; i < 10; i++) await audit.append({ action: 'test.during', details: { i } });
      })(),
    ]);
    expect(verdict.ok).toBe(true);
    expect(verdict.checked).toBeGreaterThanOrEqual(10);
    expect(await audit.verify()).toEqual({ ok: true, checked: 20 });
  });

  it('when an ordinary connection tries to change a row, then the append-only trigger refuses', async () => {
    const districtId = await districtWithEvents(1);
    await expect(
      pool.query('UPDATE audit_events SET action = $2 WHERE district_id = $1', [districtId, 'x']),
    ).rejects.toThrow(/append-only/);
    await expect(pool.query('DELETE FROM audit_events WHERE district_id = $1', [districtId])).rejects.toThrow(
      /append-only/,
    );
  });

  it('when an operator runs `homeroom audit verify`, then it prints the verdict as JSON', async () => {
    const districtId = await districtWithEvents(3);
    const ok = await homeroom(['audit', 'verify', '--district', districtId]);
    expect(JSON.parse(ok.stdout)).toEqual({ ok: true, checked: 3 });

    await tamper('DELETE FROM audit_events WHERE district_id = $1 AND seq = 2', [districtId]);
    const broken = await homeroom(['audit', 'verify', '--district', districtId]);
    expect(JSON.parse(broken.stdout)).toMatchObject({ ok: false, firstBrokenSeq: '2' });
  });
});
