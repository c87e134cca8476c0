import { Inject, Injectable } from '@nestjs/common';
import { type ApiConfig } from '../../../../libs/config/config';
import { hashToken } from '../../../../libs/crypto/hashing';
import { Database } from '../../../../libs/db/database';
import { isAdminRole } from '../../../../libs/identity/admin-roles';
import { InvalidInvitationError } from '../../../../libs/identity/identity-errors';
import { requireAcceptablePassword } from '../../../../libs/identity/password-policy';
import { hashPassword } from '../../../../libs/identity/passwords';
import { newTotpSecret, otpauthUrl } from '../../../../libs/identity/totp';
import { type SealedTotpSecret, TotpSecretBox } from '../../../../libs/identity/totp-secrets';
import { API_CONFIG } from '../common/tokens';

/**
 * Accepting an invitation sets the invited user's password (and, for admins, a TOTP secret that is
 * enabled at once). The token is checked and the password judged before anything changes, so a refused
 * password leaves the invitation usable; the token is then claimed in the same transaction as the
 * password is written, so of two concurrent acceptances exactly one wins. Existing sessions of the user
 * end, and so does any other token of theirs: only the newest token issued works, and none after use.
 */
@Injectable()
export class InvitationAcceptanceService {
  constructor(
    private readonly db: Database,
    private readonly totpSecrets: TotpSecretBox,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async accept(token: string, password: string): Promise<{ otpauthUrl?: string }> {
    const now = new Date();
    const invitation = await this.db.invitationTokens.findByTokenHash(hashToken(token));
    if (
      !invitation ||
      invitation.usedAt ||
      invitation.revokedAt ||
      invitation.expiresAt <= now ||
      !invitation.user.active
    ) {
      throw new InvalidInvitationError();
    }
    const { districtId, userId, user } = invitation;

    requireAcceptablePassword(password, user);

    const passwordHash = await hashPassword(password);
    let enrolment: { url: string; sealed: SealedTotpSecret } | undefined;
    if (isAdminRole(user.role)) {
      const secret = newTotpSecret();
      enrolment = {
        url: otpauthUrl(secret, this.config.TOTP_ISSUER, user.username ?? userId),
        sealed: await this.totpSecrets.seal(districtId, userId, secret),
      };
      secret.fill(0);
    }

    await this.db.transaction(districtId, async (tenant) => {
      if (!(await tenant.invitations.claim(invitation.id, now))) throw new InvalidInvitationError();
      await tenant.users.setPassword(userId, passwordHash);
      if (enrolment) await tenant.users.setTotpSecret(userId, { ...enrolment.sealed, enabled: true });
      const sessionsRevoked = await tenant.sessions.revokeAllForUser(userId, now);
      const invitationsRevoked = await tenant.invitations.revokeLive(userId, now);
      await tenant.audit.append({
        actorId: userId,
        action: 'invitation.accepted',
        targetType: 'user',
        targetId: userId,
        details: {
          invitationId: invitation.id,
          kind: invitation.kind,
          totpEnrolled: Boolean(enrolment),
          sessionsRevoked,
          invitationsRevoked,
        },
      });
    });
    return enrolment ? { otpauthUrl: enrolment.url } : {};
  }
}
