import { type DbClient } from '../db-client';

/** A district's recovery codes, by hash only. */
export class RecoveryCodeRepository {
  constructor(
    private readonly prisma: DbClient,
    private readonly districtId: string,
  ) {}

  /** Replaces the user's unused codes by these (a new set makes the old one worthless). */
  async replaceUnused(userId: string, codeHashes: readonly string[]): Promise<void> {
    await this.prisma.recoveryCode.deleteMany({
      where: { userId, districtId: this.districtId, usedAt: null },
    });
    await this.prisma.recoveryCode.createMany({
      data: codeHashes.map((codeHash) => ({ userId, codeHash, districtId: this.districtId })),
    });
  }

  /** Uses the code once, atomically: true only for the one request that claimed an unused code. */
  async claim(userId: string, codeHash: string, now: Date): Promise<boolean> {
    const { count } = await this.prisma.recoveryCode.updateMany({
      where: { userId, codeHash, districtId: this.districtId, usedAt: null },
      data: { usedAt: now },
    });
    return count === 1;
  }

  countUnused(userId: string): Promise<number> {
    return this.prisma.recoveryCode.count({ where: { userId, districtId: this.districtId, usedAt: null } });
  }
}
