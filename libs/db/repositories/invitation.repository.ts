import { type DbClient } from '../db-client';

export class InvitationRepository {
  constructor(
    private readonly prisma: DbClient,
    private readonly districtId: string,
  ) {}

  create(invitation: { userId: string; tokenHash: string; expiresAt: Date; createdById?: string | null }) {
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
      where: { id: invitationId, districtId: this.districtId, usedAt: null, expiresAt: { gt: now } },
      data: { usedAt: now },
    });
    return count === 1;
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
        user: { select: { role: true, username: true, active: true } },
      },
    });
  }
}
