/**
 * Write quotas: how many writes of each kind one user, and one whole district, may make per window.
 * Pure rules over plain data; the counters live in `rate_limit_counters` (libs/db) and the service that
 * applies them is apps/api/src/quotas.
 */

export const QUOTA_NAMES = [
  'messages',
  'announcements',
  'uploads',
  'upload_bytes',
  'reports',
  'invitations',
] as const;
export type QuotaName = (typeof QUOTA_NAMES)[number];

export type QuotaScope = 'user' | 'district';

/** Every quota counts in one-hour windows: the limits read "per hour" in configuration and settings. */
export const QUOTA_WINDOW_SECONDS = 3600;

export interface QuotaSubject {
  userId: string;
  districtId: string;
}

/** One quota a write draws on, with the amount it draws (1, or bytes) and both of its limits. */
export interface QuotaDemand {
  quota: QuotaName;
  amount: number;
  userLimit: number;
  districtLimit: number;
}

/** One counter to raise by `amount`, unless that would take it over `limit`. */
export interface QuotaCharge {
  key: string;
  quota: QuotaName;
  scope: QuotaScope;
  /** The user or the district counted. */
  subjectId: string;
  amount: number;
  limit: number;
}

export function quotaKey(quota: QuotaName, scope: QuotaScope, subjectId: string): string {
  return `quota:${quota}:${scope}:${subjectId}`;
}

/** Counted once per refused counter and window: its first refusal is the one audited and alerted. */
export function refusalKey(charge: QuotaCharge): string {
  return `quota-refused:${charge.quota}:${charge.scope}:${charge.subjectId}`;
}

/**
 * The counters a write raises: the user's and the district's for every quota it draws on, ordered by
 * key. Statements lock the user's rows, then the district's (chargeStages), each group in this order:
 * one order for every statement, so two concurrent writes never wait for each other in a cycle.
 */
export function quotaCharges(subject: QuotaSubject, demands: readonly QuotaDemand[]): QuotaCharge[] {
  return demands
    .flatMap(({ quota, amount, userLimit, districtLimit }) => [
      {
        key: quotaKey(quota, 'user', subject.userId),
        quota,
        scope: 'user' as const,
        subjectId: subject.userId,
        amount,
        limit: userLimit,
      },
      {
        key: quotaKey(quota, 'district', subject.districtId),
        quota,
        scope: 'district' as const,
        subjectId: subject.districtId,
        amount,
        limit: districtLimit,
      },
    ])
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * Charges that could never be accepted, whatever the counters say: their amount alone is over the
 * limit. Like a write, the user's come first: when one of them is over, the district's are not asked.
 */
export function chargesOverLimit(charges: readonly QuotaCharge[]): QuotaCharge[] {
  const over = charges.filter((charge) => charge.amount > charge.limit);
  const user = over.filter((charge) => charge.scope === 'user');
  return user.length > 0 ? user : over;
}

export interface QuotaDecision {
  allowed: boolean;
  /** Counters that did not take the write. */
  refused: QuotaCharge[];
  /** Counters that took the write although another refused it: their amounts are to be given back. */
  toRelease: QuotaCharge[];
}

/** The user's counters, then the district's: the order in which a write tries them. */
export function chargeStages(charges: readonly QuotaCharge[]): { first: QuotaCharge[]; then: QuotaCharge[] } {
  return {
    first: charges.filter((charge) => charge.scope === 'user'),
    then: charges.filter((charge) => charge.scope === 'district'),
  };
}

/**
 * The write is allowed only when every counter took it. The district's counters are only tried once
 * all of the user's took it (chargeStages), so when one of the user's refused, only the user's
 * refusals count: the district never saw the write.
 */
export function decideQuota(
  charges: readonly QuotaCharge[],
  acceptedKeys: ReadonlySet<string>,
): QuotaDecision {
  const notTaken = charges.filter((charge) => !acceptedKeys.has(charge.key));
  const userRefused = notTaken.filter((charge) => charge.scope === 'user');
  const refused = userRefused.length > 0 ? userRefused : notTaken;
  return {
    allowed: refused.length === 0,
    refused,
    toRelease: refused.length === 0 ? [] : charges.filter((charge) => acceptedKeys.has(charge.key)),
  };
}

const WHAT: Record<QuotaName, string> = {
  messages: 'messages',
  announcements: 'announcements',
  uploads: 'uploads',
  upload_bytes: 'uploaded bytes',
  reports: 'reports',
  invitations: 'invitations',
};

/** The 429's message: which limit, and whose; nothing about anyone else's activity. */
export function quotaRefusalMessage(charge: QuotaCharge): string {
  const whose = charge.scope === 'district' ? ' for the whole district' : '';
  return `Too many ${WHAT[charge.quota]} for now: the limit is ${charge.limit} per hour${whose}. Try again later.`;
}
