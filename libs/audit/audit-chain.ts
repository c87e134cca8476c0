import { sha256Hex } from '../crypto/hashing';
import { canonicalJson } from './canonical-json';

/** The hash that starts every district's chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** What an audit row says. Details hold ids and counts only: the log itself must not leak personal data. */
export interface AuditContent {
  districtId: string;
  seq: bigint;
  occurredAt: Date;
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  details: unknown;
  prevHash: string;
}

export interface AuditRow extends AuditContent {
  hash: string;
}

export function hashAuditContent(content: AuditContent): string {
  return sha256Hex(
    canonicalJson({
      districtId: content.districtId,
      seq: content.seq.toString(),
      occurredAt: content.occurredAt.toISOString(),
      actorId: content.actorId,
      action: content.action,
      targetType: content.targetType,
      targetId: content.targetId,
      details: content.details,
      prevHash: content.prevHash,
    }),
  );
}

export interface ChainVerdict {
  ok: boolean;
  checked: number;
  firstBrokenSeq?: string;
  problem?: string;
}

/**
 * Walks a district's rows in seq order. A changed row fails its own hash; a removed row leaves a gap in
 * seq or a prevHash that no longer matches; removing rows from the end is caught by the head record the
 * writer keeps beside the chain.
 */
export function verifyChain(rows: AuditRow[], head: { seq: bigint; hash: string } | null): ChainVerdict {
  let expectedSeq = 1n;
  let prevHash = GENESIS_HASH;
  for (const row of rows) {
    if (row.seq !== expectedSeq) {
      return broken(rows.indexOf(row), expectedSeq, `row ${expectedSeq} is missing`);
    }
    if (row.prevHash !== prevHash)
      return broken(rows.indexOf(row), row.seq, 'does not follow the previous row');
    if (hashAuditContent(row) !== row.hash)
      return broken(rows.indexOf(row), row.seq, 'content does not match its hash');
    prevHash = row.hash;
    expectedSeq += 1n;
  }
  const lastSeq = expectedSeq - 1n;
  if (head && (head.seq !== lastSeq || head.hash !== prevHash)) {
    return broken(rows.length, lastSeq + 1n, `the log ends at ${lastSeq} but its head records ${head.seq}`);
  }
  if (!head && rows.length > 0) return broken(rows.length, 1n, 'the log has rows but no head record');
  return { ok: true, checked: rows.length };
}

function broken(checked: number, seq: bigint, problem: string): ChainVerdict {
  return { ok: false, checked, firstBrokenSeq: seq.toString(), problem };
}
