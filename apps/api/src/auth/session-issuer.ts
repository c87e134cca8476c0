import { Inject, Injectable } from '@nestjs/common';
import { type ApiConfig } from '../../../../libs/config/config';
import { hashToken, randomToken } from '../../../../libs/crypto/hashing';
import { Database } from '../../../../libs/db/database';
import { API_CONFIG } from '../common/tokens';

const USER_AGENT_MAX_CHARS = 256;

/** One place that opens sessions, so password and school sign-in hand out exactly the same tokens. */
@Injectable()
export class SessionIssuer {
  constructor(
    private readonly db: Database,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  /** A new session and its audited `login.succeeded`, in one transaction; returns the access token. */
  async open(
    districtId: string,
    userId: string,
    userAgent: string | undefined,
    details: Record<string, unknown>,
    now: Date,
    /**
     * A password sign-in without a valid device token of the account: broadcasts soon after are watched
     * (anomaly alerts). School sign-in leaves it false: the identity provider vouches for the device.
     */
    device: { newDevice?: boolean } = {},
  ): Promise<{ accessToken: string; expiresIn: number }> {
    const token = randomToken(32);
    await this.db.transaction(districtId, async (tx) => {
      const session = await tx.sessions.create({
        userId,
        tokenHash: hashToken(token),
        expiresAt: new Date(now.getTime() + this.config.ACCESS_TOKEN_TTL_SECONDS * 1000),
        userAgent: displayableUserAgent(userAgent),
        newDevice: device.newDevice ?? false,
      });
      await tx.audit.append({
        actorId: userId,
        action: 'login.succeeded',
        targetType: 'session',
        targetId: session.id,
        details,
      });
    });
    return { accessToken: token, expiresIn: this.config.ACCESS_TOKEN_TTL_SECONDS };
  }
}

/** Header text shown back to its owner later: control characters dropped, cut short. */
function displayableUserAgent(userAgent: string | undefined): string | null {
  if (!userAgent) return null;
  const printable = [...userAgent].filter((character) => character >= ' ' && character !== '\u007f').join('');
  return printable.slice(0, USER_AGENT_MAX_CHARS) || null;
}
