import { type UserRole } from '../generated/enums';
import { type DbClient } from '../db-client';
import { preparedStatement, runPrepared } from '../prisma';

export interface LiveSession {
  sessionId: string;
  userId: string;
  districtId: string;
  role: UserRole;
}

const LIVE_SESSION_BY_TOKEN_HASH = preparedStatement(
  'session_live_by_token_hash',
  `SELECT s.id AS session_id, u.id AS user_id, s.district_id, u.role::text AS role
   FROM sessions s
   JOIN users u ON u.id = s.user_id AND u.district_id = s.district_id
   WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2::timestamptz AND u.active`,
);

interface LiveSessionRow {
  session_id: string;
  user_id: string;
  district_id: string;
  role: UserRole;
}

/**
 * Sessions are the one lookup that is not scoped by a district up front: the token is what tells us the
 * district. Everything after authentication goes through district-scoped repositories.
 */
export class SessionRepository {
  constructor(private readonly prisma: DbClient) {}

  /**
   * Every authenticated request runs this, so it is one prepared statement (libs/db/prisma.ts) with the
   * user joined in, not a session read followed by a user read.
   */
  async findLiveByTokenHash(tokenHash: string, now: Date): Promise<LiveSession | null> {
    const [row] = await runPrepared<LiveSessionRow>(this.prisma, LIVE_SESSION_BY_TOKEN_HASH, [
      tokenHash,
      now,
    ]);
    if (!row) return null;
    return { sessionId: row.session_id, userId: row.user_id, districtId: row.district_id, role: row.role };
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
