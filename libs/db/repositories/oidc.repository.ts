import { type OidcUserField, type UserRole } from '../generated/enums';
import { type DbClient } from '../db-client';

export interface OidcProviderSettings {
  issuer: string;
  clientId: string;
  /** The name of the environment variable holding the client secret, never the secret. */
  clientSecretRef: string;
  claim: string;
  userField: OidcUserField;
  redirectUris: string[];
  passwordSignInDisabledRoles: UserRole[];
}

const SETTINGS = {
  issuer: true,
  clientId: true,
  clientSecretRef: true,
  claim: true,
  userField: true,
  redirectUris: true,
  passwordSignInDisabledRoles: true,
} as const;

/** A district's identity provider settings; operators write them, sign-in reads them. */
export class OidcProviderRepository {
  constructor(
    private readonly prisma: DbClient,
    private readonly districtId: string,
  ) {}

  find(): Promise<OidcProviderSettings | null> {
    return this.prisma.oidcProvider.findUnique({ where: { districtId: this.districtId }, select: SETTINGS });
  }

  save(settings: OidcProviderSettings): Promise<OidcProviderSettings> {
    return this.prisma.oidcProvider.upsert({
      where: { districtId: this.districtId },
      create: { ...settings, districtId: this.districtId },
      update: settings,
      select: SETTINGS,
    });
  }
}

export interface NewOidcSignIn {
  stateHash: string;
  browserBindingHash: string;
  nonce: string;
  codeVerifier: string;
  redirectUri: string;
  expiresAt: Date;
}

export class OidcSignInRepository {
  constructor(
    private readonly prisma: DbClient,
    private readonly districtId: string,
  ) {}

  async create(signIn: NewOidcSignIn): Promise<void> {
    await this.prisma.oidcSignIn.create({
      data: { ...signIn, districtId: this.districtId },
      select: { id: true },
    });
  }

  /** Housekeeping at each start: rows past every use are only clutter. */
  async deleteExpiredBefore(cutoff: Date): Promise<void> {
    await this.prisma.oidcSignIn.deleteMany({
      where: { districtId: this.districtId, expiresAt: { lt: cutoff } },
    });
  }

  /** The callback found its user: the sign-in now waits for its one-time code, stored as a hash. */
  async attachExchangeCode(id: string, userId: string, codeHash: string, expiresAt: Date): Promise<void> {
    await this.prisma.oidcSignIn.updateMany({
      where: { id, districtId: this.districtId },
      data: { userId, exchangeCodeHash: codeHash, exchangeExpiresAt: expiresAt },
    });
  }
}

/**
 * Looks sign-ins up by the hash of what the browser or app brings back. Unscoped like the invitation
 * lookup: the callback and the exchange are public, and the value itself names the district.
 * Each claim is one conditional UPDATE, so of two concurrent uses exactly one wins.
 */
export class OidcSignInTokenRepository {
  constructor(private readonly prisma: DbClient) {}

  /** The sign-in the state names (null: no such state), and whether this call claimed it. */
  async claimCallback(stateHash: string, now: Date) {
    const { count } = await this.prisma.oidcSignIn.updateMany({
      where: { stateHash, callbackAt: null, expiresAt: { gt: now } },
      data: { callbackAt: now },
    });
    const signIn = await this.prisma.oidcSignIn.findUnique({
      where: { stateHash },
      select: {
        id: true,
        districtId: true,
        browserBindingHash: true,
        nonce: true,
        codeVerifier: true,
        redirectUri: true,
      },
    });
    return signIn ? { ...signIn, claimed: count === 1 } : null;
  }

  /** The district and user of an unused, unexpired code, which this call uses up; null otherwise. */
  async claimExchange(codeHash: string, now: Date): Promise<{ districtId: string; userId: string } | null> {
    const { count } = await this.prisma.oidcSignIn.updateMany({
      where: { exchangeCodeHash: codeHash, exchangedAt: null, exchangeExpiresAt: { gt: now } },
      data: { exchangedAt: now },
    });
    if (count !== 1) return null;
    const signIn = await this.prisma.oidcSignIn.findUnique({
      where: { exchangeCodeHash: codeHash },
      select: { districtId: true, userId: true },
    });
    return signIn?.userId ? { districtId: signIn.districtId, userId: signIn.userId } : null;
  }
}
