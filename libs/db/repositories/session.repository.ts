import { type UserRole } from '../generated/enums';
import { type DbClient } from '../db-client';

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
  constructor(private readonly prisma: DbClient) {}

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

/** A district's sessions: creation at sign-in, revocation at sign-out and when a password is (re)set. */
export class TenantSessionRepository {
  constructor(
    private readonly prisma: DbClient,
    private readonly districtId: string,
  ) {}

  create(session: { userId: string; tokenHash: string; expiresAt: Date }): Promise<{ id: string }> {
    return this.prisma.session.create({
      data: { ...session, districtId: this.districtId },
      select: { id: true },
    });
  }

  /** True when the session was live and is now revoked. */
  async revoke(sessionId: string, now: Date): Promise<boolean> {
    const { count } = await this.prisma.session.updateMany({
      where: { id: sessionId, districtId: this.districtId, revokedAt: null },
      data: { revokedAt: now },
    });
    return count === 1;
  }

  /** Revokes every live session of the user; returns how many. */
  async revokeAllForUser(userId: string, now: Date): Promise<number> {
    const { count } = await this.prisma.session.updateMany({
      where: { userId, districtId: this.districtId, revokedAt: null, expiresAt: { gt: now } },
      data: { revokedAt: now },
    });
    return count;
  }
}
