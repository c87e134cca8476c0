import { hashToken, randomToken } from '../crypto/hashing';
import { type Database } from '../db/database';
import { ConflictError, NotFoundError } from '../errors/domain-errors';

export const INVITATION_TTL_MS = 7 * 24 * 3600 * 1000;

export interface IssuedInvitation {
  token: string;
  expiresAt: Date;
}

/**
 * Issues a single-use invitation for a user of the district. Only the token's hash is stored; the
 * token itself is shown once, to whoever issued it, to hand to the person.
 */
export async function issueInvitation(
  db: Database,
  districtId: string,
  input: { userId: string; issuedById: string | null },
  now = new Date(),
): Promise<IssuedInvitation> {
  const token = randomToken(32);
  const expiresAt = new Date(now.getTime() + INVITATION_TTL_MS);
  await db.transaction(districtId, async (tenant) => {
    const user = await tenant.users.findProfile(input.userId);
    if (!user) throw new NotFoundError('The user');
    if (!user.active)
      throw new ConflictError('USER_INACTIVE', 'The user is deactivated and cannot be invited.');
    if (!user.username) {
      throw new ConflictError('USER_HAS_NO_USERNAME', 'The user has no username to sign in with.');
    }
    const invitation = await tenant.invitations.create({
      userId: input.userId,
      tokenHash: hashToken(token),
      expiresAt,
      createdById: input.issuedById,
    });
    await tenant.audit.append({
      actorId: input.issuedById,
      action: 'invitation.issued',
      targetType: 'user',
      targetId: input.userId,
      details: { invitationId: invitation.id, expiresAt: expiresAt.toISOString() },
    });
  });
  return { token, expiresAt };
}
