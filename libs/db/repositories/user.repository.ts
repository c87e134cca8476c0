import { type OidcUserField, type UserRole } from '../generated/enums';
import { ConflictError } from '../../domain/errors/domain-errors';
import { canonicalUsername } from '../../domain/identity/canonical-identifiers';
import { type DbClient } from '../db-client';
import { isUniqueViolation } from '../unique-violation';

export interface NewUser {
  role: UserRole;
  username?: string | null;
  givenName: string;
  familyName: string;
  email?: string | null;
  sourcedId?: string | null;
  schoolId?: string | null;
  preferredLanguage?: string;
}

const PROFILE = {
  id: true,
  districtId: true,
  role: true,
  sourcedId: true,
  username: true,
  givenName: true,
  familyName: true,
  preferredLanguage: true,
  active: true,
  schoolId: true,
  suspendedAt: true,
} as const;

/** What sign-in and second-factor checks need; never leaves the identity services. */
const CREDENTIALS = {
  id: true,
  role: true,
  username: true,
  active: true,
  passwordHash: true,
  totpEnabled: true,
  totpSecretCiphertext: true,
  totpDataKeyId: true,
  totpLastUsedStep: true,
  suspendedAt: true,
} as const;

export interface SignInCandidate {
  id: string;
  role: UserRole;
  active: boolean;
  suspendedAt: Date | null;
}

export interface UserListFilter {
  role?: UserRole;
  sourcedId?: string;
  /** Only users of this school (a school admin's view). */
  schoolId?: string;
  /** Keyset pagination: only ids after this one. */
  afterId?: string;
  limit: number;
}

export class UserRepository {
  constructor(
    private readonly prisma: DbClient,
    private readonly districtId: string,
  ) {}

  /**
   * Creates the user; a username the district already has is a ConflictError (USERNAME_TAKEN).
   * Usernames are stored canonical (canonical-identifiers.ts), the form sign-in looks them up in.
   */
  async create(user: NewUser): Promise<{ id: string }> {
    const username = typeof user.username === 'string' ? canonicalUsername(user.username) : user.username;
    try {
      return await this.prisma.user.create({
        data: { ...user, username, districtId: this.districtId },
        select: { id: true },
      });
    } catch (error) {
      if (isUniqueViolation(error, 'users_district_id_username_key')) {
        throw new ConflictError('USERNAME_TAKEN', 'That username is already taken in this district.');
      }
      throw error;
    }
  }

  findProfile(id: string) {
    return this.prisma.user.findFirst({ where: { id, districtId: this.districtId }, select: PROFILE });
  }

  findCredentialsByUsername(username: string) {
    return this.prisma.user.findFirst({
      where: { username: canonicalUsername(username), districtId: this.districtId },
      select: CREDENTIALS,
    });
  }

  /**
   * Users whose `field` equals `value` (e-mail addresses without regard to letter case), at most three:
   * enough to tell none, one and several apart. The value is a bound parameter, never a pattern.
   */
  findBySignInField(field: OidcUserField, value: string): Promise<SignInCandidate[]> {
    if (field === 'email') {
      return this.prisma.$queryRaw<SignInCandidate[]>`
        SELECT id, role, active, suspended_at AS "suspendedAt" FROM users
        WHERE district_id = ${this.districtId}::uuid AND lower(email) = lower(${value})
        ORDER BY id LIMIT 3`;
    }
    return this.prisma.user.findMany({
      where: {
        districtId: this.districtId,
        ...(field === 'username' ? { username: canonicalUsername(value) } : { sourcedId: value }),
      },
      orderBy: { id: 'asc' },
      take: 3,
      select: { id: true, role: true, active: true, suspendedAt: true },
    });
  }

  findCredentials(id: string) {
    return this.prisma.user.findFirst({ where: { id, districtId: this.districtId }, select: CREDENTIALS });
  }

  /** Users ordered by id, for keyset pagination. */
  list(filter: UserListFilter) {
    return this.prisma.user.findMany({
      where: {
        districtId: this.districtId,
        ...(filter.role ? { role: filter.role } : {}),
        ...(filter.sourcedId !== undefined ? { sourcedId: filter.sourcedId } : {}),
        ...(filter.schoolId !== undefined ? { schoolId: filter.schoolId } : {}),
        ...(filter.afterId ? { id: { gt: filter.afterId } } : {}),
      },
      orderBy: { id: 'asc' },
      take: filter.limit,
      select: PROFILE,
    });
  }

  /** Null clears it: no password signs in until a reset token is accepted. */
  async setPassword(id: string, passwordHash: string | null): Promise<void> {
    await this.prisma.user.updateMany({ where: { id, districtId: this.districtId }, data: { passwordHash } });
  }

  async setPreferredLanguage(id: string, preferredLanguage: string): Promise<boolean> {
    const { count } = await this.prisma.user.updateMany({
      where: { id, districtId: this.districtId },
      data: { preferredLanguage },
    });
    return count === 1;
  }

  /**
   * Stores a new TOTP secret (sealed) and forgets which step was last used. `enabled: false` is a
   * pending enrolment that {@link enableTotp} completes once the person proves they hold the secret.
   */
  async setTotpSecret(id: string, secret: { ciphertext: Uint8Array; dataKeyId: string; enabled: boolean }) {
    await this.prisma.user.updateMany({
      where: { id, districtId: this.districtId },
      data: {
        totpSecretCiphertext: new Uint8Array(secret.ciphertext),
        totpDataKeyId: secret.dataKeyId,
        totpEnabled: secret.enabled,
        totpLastUsedStep: null,
      },
    });
  }

  /** Completes a pending enrolment, recording the step of the code that proved it. */
  async enableTotp(id: string, step: number): Promise<boolean> {
    const { count } = await this.prisma.user.updateMany({
      where: { id, districtId: this.districtId, totpEnabled: false, totpSecretCiphertext: { not: null } },
      data: { totpEnabled: true, totpLastUsedStep: step },
    });
    return count === 1;
  }

  /**
   * Records `step` as used if it is later than the last used one, atomically: a code replayed, or
   * sent twice at once, is accepted at most once.
   */
  async claimTotpStep(id: string, step: number): Promise<boolean> {
    const { count } = await this.prisma.user.updateMany({
      where: {
        id,
        districtId: this.districtId,
        OR: [{ totpLastUsedStep: null }, { totpLastUsedStep: { lt: step } }],
      },
      data: { totpLastUsedStep: step },
    });
    return count === 1;
  }

  /** The user keeps their data; their sessions stop working at once because the guard checks `active`. */
  async deactivate(id: string, now: Date): Promise<boolean> {
    const { count } = await this.prisma.user.updateMany({
      where: { id, districtId: this.districtId, active: true },
      data: { active: false, deactivatedAt: now },
    });
    return count === 1;
  }

  /** True when the user was not suspended and now is; the guard refuses their sessions from now on. */
  async suspend(id: string, suspendedById: string, now: Date): Promise<boolean> {
    const { count } = await this.prisma.user.updateMany({
      where: { id, districtId: this.districtId, suspendedAt: null },
      data: { suspendedAt: now, suspendedById },
    });
    return count === 1;
  }

  /** True when the user was suspended and no longer is. */
  async reinstate(id: string): Promise<boolean> {
    const { count } = await this.prisma.user.updateMany({
      where: { id, districtId: this.districtId, suspendedAt: { not: null } },
      data: { suspendedAt: null, suspendedById: null },
    });
    return count === 1;
  }
}
