import { type PrismaClient } from '../generated/client';
import { type UserRole } from '../generated/enums';

export interface LiveSession {
  sessionId: string;
  userId: string;
  districtId: string;
  role: UserRole;
}

/**
 * Sessions are the one lookup that is not scoped by a district up front: the token is what tells us the
 * district. Everything after authentication goes through district-scoped repositories.
 */
export class SessionRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async findLiveByTokenHash(tokenHash: string, now: Date): Promise<LiveSession | null> {
    const session = await this.prisma.session.findUnique({
      where: { tokenHash },
      select: {
        id: true,
        districtId: true,
        expiresAt: true,
        revokedAt: true,
        user: { select: { id: true, role: true, active: true, districtId: true } },
      },
    });
    if (!session || session.revokedAt || session.expiresAt <= now) return null;
    if (!session.user.active || session.user.districtId !== session.districtId) return null;
    return {
      sessionId: session.id,
      userId: session.user.id,
      districtId: session.districtId,
      role: session.user.role,
    };
  }
}
