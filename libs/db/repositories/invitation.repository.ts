import { type DbClient } from '../db-client';
import { type InvitationKind } from '../generated/enums';

export class InvitationRepository {
  constructor(
    private readonly prisma: DbClient,
    private readonly districtId: string,
  ) {}

  create(invitation: {
    userId: string;
    tokenHash: string;
    expiresAt: Date;
    kind: InvitationKind;
    createdById?: string | null;
  }) {
    return this.prisma.invitation.create({
      data: { ...invitation, districtId: this.districtId },
      select: { id: true, expiresAt: true },
    });
  }

  /**
   * Marks the invitation used if it still is usable, in one conditional UPDATE: of two concurrent
   * acceptances the second waits for the first's row lock, then finds used_at set and claims nothing.
   */
  async claim(invitationId: string, now: Date): Promise<boolean> {
    const { count } = await this.prisma.invitation.updateMany({
      where: {
        id: invitationId,
        districtId: this.districtId,
        usedAt: null,
        revokedAt: null,
        expiresAt: { gt: now },
      },
      data: { usedAt: now },
    });
    return count === 1;
  }

  /**
   * Revokes every unused, unrevoked token of the user. Call inside a transaction: it first locks the
   * user's row, so two concurrent issuers take turns and the second revokes the first's token instead
   * of both leaving one live.
   */
  async revokeLive(userId: string, now: Date): Promise<number> {
    await this.prisma.$queryRaw`
      SELECT 1 FROM users WHERE id = ${userId}::uuid AND district_id = ${this.districtId}::uuid FOR UPDATE`;
    const { count } = await this.prisma.invitation.updateMany({
      where: { userId, districtId: this.districtId, usedAt: null, revokedAt: null },
      data: { revokedAt: now },
    });
    return count;
  }
}

/**
 * Looks an invitation up by its token's hash. Unscoped like the session lookup: acceptance is public,
 * and the token is what names the district.
 */
export class InvitationTokenRepository {
  constructor(private readonly prisma: DbClient) {}

  findByTokenHash(tokenHash: string) {
    return this.prisma.invitation.findUnique({
      where: { tokenHash },
      select: {
        id: true,
        districtId: true,
        userId: true,
        expiresAt: true,
        usedAt: true,
        revokedAt: true,
        kind: true,
        user: { select: { role: true, username: true, givenName: true, familyName: true, active: true } },
      },
    });
  }
}
