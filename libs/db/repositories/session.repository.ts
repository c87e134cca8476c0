import { type UserRole } from '../generated/enums';
import { type DbClient } from '../db-client';
import { preparedStatement, runPrepared } from '../prisma';

export interface LiveSession {
  sessionId: string;
  userId: string;
  districtId: string;
  role: UserRole;
}

/** How stale `last_seen_at` may get before a request refreshes it: a write per session per interval. */
const LAST_SEEN_RESOLUTION = '5 minutes';

/**
 * The session, if live, with its user, who must be active (the roster) and not suspended (an admin);
 * in the same round trip, `last_seen_at` is refreshed when it is older than the resolution above.
 */
const LIVE_SESSION_BY_TOKEN_HASH = preparedStatement(
  'session_live_by_token_hash_v2',
  `WITH live AS (
     SELECT s.id AS session_id, u.id AS user_id, s.district_id, u.role::text AS role, s.last_seen_at
     FROM sessions s
     JOIN users u ON u.id = s.user_id AND u.district_id = s.district_id
     WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2::timestamptz
       AND u.active AND u.suspended_at IS NULL
   ), touched AS (
     UPDATE sessions SET last_seen_at = $2::timestamptz
     WHERE id IN (SELECT session_id FROM live
                  WHERE last_seen_at IS NULL
                     OR last_seen_at < $2::timestamptz - interval '${LAST_SEEN_RESOLUTION}')
   )
   SELECT session_id, user_id, district_id, role FROM live`,
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

/**
 * A district's sessions: creation at sign-in, revocation at sign-out, when a password is (re)set and
 * when a roster import ends a user's access.
 */
export class TenantSessionRepository {
  constructor(
    private readonly prisma: DbClient,
    private readonly districtId: string,
  ) {}

  create(session: {
    userId: string;
    tokenHash: string;
    expiresAt: Date;
    userAgent?: string | null;
    newDevice?: boolean;
  }): Promise<{ id: string }> {
    return this.prisma.session.create({
      data: { ...session, districtId: this.districtId },
      select: { id: true },
    });
  }

  /** The user's live sessions, newest first, for `GET /v1/auth/sessions`. */
  listLiveForUser(userId: string, now: Date) {
    return this.prisma.session.findMany({
      where: { userId, districtId: this.districtId, revokedAt: null, expiresAt: { gt: now } },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      select: { id: true, createdAt: true, lastSeenAt: true, userAgent: true },
    });
  }

  /** Revokes one live session of this user only: true when it was live and theirs. */
  async revokeOwn(userId: string, sessionId: string, now: Date): Promise<boolean> {
    const { count } = await this.prisma.session.updateMany({
      where: { id: sessionId, userId, districtId: this.districtId, revokedAt: null, expiresAt: { gt: now } },
      data: { revokedAt: now },
    });
    return count === 1;
  }

  /** True when the session was live and is now revoked. */
  async revoke(sessionId: string, now: Date): Promise<boolean> {
    const { count } = await this.prisma.session.updateMany({
      where: { id: sessionId, districtId: this.districtId, revokedAt: null },
      data: { revokedAt: now },
    });
    return count === 1;
  }

  /** Revokes every live session of the user but `keepSessionId`; returns how many. */
  async revokeOthersOfUser(userId: string, keepSessionId: string, now: Date): Promise<number> {
    const { count } = await this.prisma.session.updateMany({
      where: {
        userId,
        districtId: this.districtId,
        id: { not: keepSessionId },
        revokedAt: null,
        expiresAt: { gt: now },
      },
      data: { revokedAt: now },
    });
    return count;
  }

  /** Revokes every unrevoked session of the given users (a roster batch that ends their access). */
  revokeAllForUsers(userIds: readonly string[], now: Date): Promise<number> {
    if (userIds.length === 0) return Promise.resolve(0);
    return this.prisma.$executeRaw`
      UPDATE sessions SET revoked_at = ${now}::timestamptz
      WHERE district_id = ${this.districtId}::uuid AND user_id = ANY(${userIds}::uuid[])
        AND revoked_at IS NULL`;
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
