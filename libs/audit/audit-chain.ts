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
 * Walks a district's rows in seq order, one at a time, so a chain of millions of rows is checked in
 * pages rather than held in memory. A changed row fails its own hash; a removed row leaves a gap in seq
 * or a prevHash that no longer matches; removing rows from the end is caught by the head record the
 * writer keeps beside the chain.
 */
export class AuditChainWalker {
  private expectedSeq = 1n;
  private prevHash = GENESIS_HASH;
  private checked = 0;
  private verdict: ChainVerdict | null = null;

  /** Checks the next row; false once the chain is broken (later rows cannot change the verdict). */
  add(row: AuditRow): boolean {
    if (this.verdict) return false;
    if (row.seq !== this.expectedSeq) {
      this.verdict = broken(this.checked, this.expectedSeq, `row ${this.expectedSeq} is missing`);
    } else if (row.prevHash !== this.prevHash) {
      this.verdict = broken(this.checked, row.seq, 'does not follow the previous row');
    } else if (hashAuditContent(row) !== row.hash) {
      this.verdict = broken(this.checked, row.seq, 'content does not match its hash');
    } else {
      this.prevHash = row.hash;
      this.expectedSeq += 1n;
      this.checked += 1;
      return true;
    }
    return false;
  }

  /** The verdict once every row up to the head has been added. */
  finish(head: { seq: bigint; hash: string } | null): ChainVerdict {
    if (this.verdict) return this.verdict;
    const lastSeq = this.expectedSeq - 1n;
    if (head && (head.seq !== lastSeq || head.hash !== this.prevHash)) {
      return broken(
        this.checked,
        lastSeq + 1n,
        `the log ends at ${lastSeq} but its head records ${head.seq}`,
      );
    }
    if (!head && this.checked > 0) return broken(this.checked, 1n, 'the log has rows but no head record');
    return { ok: true, checked: this.checked };
  }
}

/** The whole chain at once: for tests and small logs. */
export function verifyChain(rows: AuditRow[], head: { seq: bigint; hash: string } | null): ChainVerdict {
  const walker = new AuditChainWalker();
  for (const row of rows) if (!walker.add(row)) break;
  return walker.finish(head);
}

function broken(checked: number, seq: bigint, problem: string): ChainVerdict {
  return { ok: false, checked, firstBrokenSeq: seq.toString(), problem };
}
