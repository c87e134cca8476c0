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
}
