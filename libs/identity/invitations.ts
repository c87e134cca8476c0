import { hashToken, randomToken } from '../crypto/hashing';
import { type Database } from '../db/database';
import { type InvitationKind } from '../db/types';
import { ConflictError, NotFoundError } from '../domain/errors/domain-errors';

export interface IssuedInvitation {
  token: string;
  expiresAt: Date;
}

export interface InvitationRequest {
  userId: string;
  issuedById: string | null;
  /** INVITATION_TTL_HOURS: how long the token stays usable. */
  ttlHours: number;
  /**
   * An invitation activates an account that has no password yet; a password reset clears the
   * password of any account and ends the user's sessions at once. Default: invitation.
   */
  kind?: InvitationKind;
}

/**
 * Issues a single-use token for a user of the district that sets their password when accepted. Only
 * its hash is stored; the token itself is shown once, to whoever issued it, to hand to the person.
 * Every older live token of the user is revoked in the same transaction, so at most one works.
 */
export async function issueInvitation(
  db: Database,
  districtId: string,
  request: InvitationRequest,
  now = new Date(),
): Promise<IssuedInvitation> {
  const kind = request.kind ?? 'invitation';
  const token = randomToken(32);
  const expiresAt = new Date(now.getTime() + request.ttlHours * 3600 * 1000);
  await db.transaction(districtId, async (tenant) => {
    const user = await tenant.users.findCredentials(request.userId);
    if (!user) throw new NotFoundError('The user');
    if (!user.active)
      throw new ConflictError('USER_INACTIVE', 'The user is deactivated and cannot be invited.');
    if (!user.username) {
      throw new ConflictError('USER_HAS_NO_USERNAME', 'The user has no username to sign in with.');
    }
    if (kind === 'invitation' && user.passwordHash !== null) {
      throw new ConflictError(
        'ALREADY_ACTIVE',
        'The account is already active; issue a password reset instead.',
      );
    }
    const invitationsRevoked = await tenant.invitations.revokeLive(request.userId, now);
    const invitation = await tenant.invitations.create({
      userId: request.userId,
      tokenHash: hashToken(token),
      expiresAt,
      kind,
      createdById: request.issuedById,
    });
    // A reset is what an admin does for a hijacked account: whoever holds the sessions or the old
    // password is out at once, not when the user gets round to accepting the token.
    let sessionsRevoked = 0;
    if (kind === 'password_reset') {
      sessionsRevoked = await tenant.sessions.revokeAllForUser(request.userId, now);
      await tenant.users.setPassword(request.userId, null);
    }
    await tenant.audit.append({
      actorId: request.issuedById,
      action: kind === 'password_reset' ? 'password_reset.issued' : 'invitation.issued',
      targetType: 'user',
      targetId: request.userId,
      details: {
        invitationId: invitation.id,
        expiresAt: expiresAt.toISOString(),
        invitationsRevoked,
        ...(kind === 'password_reset' ? { sessionsRevoked } : {}),
      },
    });
  });
  return { token, expiresAt };
}
