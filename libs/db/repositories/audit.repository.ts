import { AuditChainWalker, GENESIS_HASH, hashAuditContent, type ChainVerdict } from '../../audit/audit-chain';
import { type Prisma } from '../generated/client';
import { advisoryXactLock } from '../advisory-lock';
import { type DbClient } from '../db-client';
import { type HomeroomPrismaClient } from '../prisma';

/** Rows per query while verifying: bounded memory whatever the chain's length. */
export const VERIFY_PAGE_SIZE = 5_000;

const CHAIN_FIELDS = {
  districtId: true,
  seq: true,
  occurredAt: true,
  actorId: true,
  action: true,
  targetType: true,
  targetId: true,
  details: true,
  prevHash: true,
  hash: true,
} as const;

export interface AuditEventInput {
  actorId?: string | null;
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  /** Ids and counts only; never names, contact details or message text. */
  details?: Record<string, unknown>;
}

type Tx = Prisma.TransactionClient;

/**
 * The district's append-only, hash-chained audit log. Appends for one district are serialized by a
 * transaction-scoped advisory lock, so seq stays gap-free and each row chains to the one before it.
 */
export class AuditRepository {
  constructor(
    private readonly prisma: DbClient,
    private readonly districtId: string,
  ) {}

  /**
   * Appends in the surrounding transaction if there is one (a repository from `Database.transaction`),
   * so the change and its audit row commit together; else in a transaction of its own.
   */
  async append(event: AuditEventInput): Promise<{ seq: bigint; hash: string }> {
    if ('$transaction' in this.prisma) {
      return (this.prisma as HomeroomPrismaClient).$transaction((tx) => this.appendWithin(tx, event));
    }
    return this.appendWithin(this.prisma, event);
  }

  private async appendWithin(tx: Tx, event: AuditEventInput): Promise<{ seq: bigint; hash: string }> {
    await advisoryXactLock(tx, `audit:${this.districtId}`);
    const head = await tx.auditHead.findUnique({ where: { districtId: this.districtId } });
    const seq = (head?.seq ?? 0n) + 1n;
    const content = {
      districtId: this.districtId,
      seq,
      occurredAt: new Date(),
      actorId: event.actorId ?? null,
      action: event.action,
      targetType: event.targetType ?? null,
      targetId: event.targetId ?? null,
      details: event.details ?? {},
      prevHash: head?.hash ?? GENESIS_HASH,
    };
    const hash = hashAuditContent(content);
    await tx.auditEvent.create({
      data: { ...content, details: content.details as Prisma.InputJsonValue, hash },
    });
    await tx.auditHead.upsert({
      where: { districtId: this.districtId },
      create: { districtId: this.districtId, seq, hash },
      update: { seq, hash },
    });
    return { seq, hash };
  }

  async list(options: { afterSeq?: bigint; limit: number }) {
    return this.prisma.auditEvent.findMany({
      where: { districtId: this.districtId, ...(options.afterSeq ? { seq: { gt: options.afterSeq } } : {}) },
      orderBy: { seq: 'asc' },
      take: options.limit,
    });
  }

  /**
   * Walks the chain in pages of {@link VERIFY_PAGE_SIZE} rows up to the head read first, so events
   * appended meanwhile neither break the walk nor fill memory. Rows past the head that no later head
   * accounts for (rows with no head at all among them) were not written by the writer, which moves the
   * head in the same transaction.
   */
  async verify(options: { pageSize?: number } = {}): Promise<ChainVerdict> {
    const pageSize = options.pageSize ?? VERIFY_PAGE_SIZE;
    const head = await this.head();
    const walker = new AuditChainWalker();
    if (head) {
      for (let after = 0n; ;) {
        const page = await this.prisma.auditEvent.findMany({
          where: { districtId: this.districtId, seq: { gt: after, lte: head.seq } },
          orderBy: { seq: 'asc' },
          take: pageSize,
          select: CHAIN_FIELDS,
        });
        for (const row of page) if (!walker.add(row)) return walker.finish(head);
        if (page.length < pageSize) break;
        after = page[page.length - 1]!.seq;
      }
    }
    const verdict = walker.finish(head);
    if (!verdict.ok) return verdict;
    const last = await this.prisma.auditEvent.findFirst({
      where: { districtId: this.districtId },
      orderBy: { seq: 'desc' },
      select: { seq: true },
    });
    const latestHead = await this.head();
    if (last && (!latestHead || last.seq > latestHead.seq)) {
      return {
        ok: false,
        checked: verdict.checked,
        firstBrokenSeq: ((head?.seq ?? 0n) + 1n).toString(),
        problem: latestHead
          ? `row ${last.seq} lies past the head the writer keeps`
          : 'the log has rows but no head record',
      };
    }
    return verdict;
  }

  private async head(): Promise<{ seq: bigint; hash: string } | null> {
    const head = await this.prisma.auditHead.findUnique({ where: { districtId: this.districtId } });
    return head ? { seq: head.seq, hash: head.hash } : null;
  }
}
