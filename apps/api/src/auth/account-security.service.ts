import { Injectable } from '@nestjs/common';
import { Database } from '../../../../libs/db/database';
import { ConflictError, NotFoundError } from '../../../../libs/domain/errors/domain-errors';
import { requireAcceptablePassword } from '../../../../libs/identity/password-policy';
import { hashPassword } from '../../../../libs/identity/passwords';
import {
  hashRecoveryCode,
  newRecoveryCodes,
  canonicalRecoveryCode,
} from '../../../../libs/identity/recovery-codes';
import { type Principal } from '../common/request-context';
import { ReauthenticationService } from './reauthentication.service';

/** A person's own credentials: a new password, and recovery codes for a lost authenticator. */
@Injectable()
export class AccountSecurityService {
  constructor(
    private readonly db: Database,
    private readonly reauthentication: ReauthenticationService,
  ) {}

  /** Every other session of the person ends: whoever else held one is out. */
  async changePassword(principal: Principal, currentPassword: string, newPassword: string): Promise<void> {
    await this.reauthentication.require(principal, currentPassword);
    const tenant = this.db.forDistrict(principal.districtId);
    const user = await tenant.users.findProfile(principal.userId);
    if (!user) throw new NotFoundError('The user');
    requireAcceptablePassword(newPassword, user);
    const passwordHash = await hashPassword(newPassword);
    await this.db.transaction(principal.districtId, async (tx) => {
      await tx.users.setPassword(user.id, passwordHash);
      const sessionsEnded = await tx.sessions.revokeOthersOfUser(user.id, principal.sessionId, new Date());
      await tx.audit.append({
        actorId: user.id,
        action: 'password.changed',
        targetType: 'user',
        targetId: user.id,
        details: { sessionsEnded },
      });
    });
  }

  /**
   * A new set of one-time codes, shown once; the unused codes of an older set stop working. Only for
   * accounts with an authenticator (admins always have one), since the codes stand in for it.
   */
  async newRecoveryCodes(principal: Principal, password: string): Promise<string[]> {
    await this.reauthentication.require(principal, password);
    const tenant = this.db.forDistrict(principal.districtId);
    const user = await tenant.users.findCredentials(principal.userId);
    if (!user) throw new NotFoundError('The user');
    if (!user.totpEnabled) {
      throw new ConflictError(
        'TOTP_NOT_ENABLED',
        'Recovery codes stand in for an authenticator: enable one first.',
      );
    }
    const codes = newRecoveryCodes();
    const hashes = codes.map((code) => hashRecoveryCode(canonicalRecoveryCode(code) ?? ''));
    await this.db.transaction(principal.districtId, async (tx) => {
      await tx.recoveryCodes.replaceUnused(user.id, hashes);
      await tx.audit.append({
        actorId: user.id,
        action: 'recovery_codes.generated',
        targetType: 'user',
        targetId: user.id,
        details: { count: codes.length },
      });
    });
    return codes;
  }
}
