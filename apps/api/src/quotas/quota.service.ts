import { Inject, Injectable } from '@nestjs/common';
import { SecurityAlerts } from '../../../../libs/alerts/security-alerts';
import { type ApiConfig } from '../../../../libs/config/config';
import { Database } from '../../../../libs/db/database';
import { type ApiMetrics } from '../../../../libs/logging/metrics';
import { RateLimitedError } from '../../../../libs/domain/errors/domain-errors';
import {
  type FixedWindow,
  fixedWindow,
  MAX_WINDOW_SECONDS,
  retryAfterSeconds,
} from '../../../../libs/domain/limits/fixed-window';
import {
  chargeStages,
  chargesOverLimit,
  decideQuota,
  type QuotaCharge,
  quotaCharges,
  type QuotaDemand,
  type QuotaName,
  quotaRefusalMessage,
  type QuotaSubject,
  QUOTA_WINDOW_SECONDS,
  refusalKey,
} from '../../../../libs/domain/limits/quotas';
import { AlertDeliveryStarter } from '../alerts/alert-delivery.starter';
import { API_CONFIG, API_METRICS } from '../common/tokens';

export const QUOTA_EXCEEDED_ACTION = 'quota.exceeded';

/**
 * What a write asked of its quotas, to give back when it does not happen or used less. Only the first
 * call of either method gives anything back.
 */
export interface QuotaReservation {
  /** Gives all of it back: the write did not happen. */
  release(): Promise<void>;
  /** Gives back what the write did not use of the amount reserved on `quota`. */
  settle(quota: QuotaName, used: number): Promise<void>;
}

/**
 * Write quotas per user and per district, in fixed one-hour windows kept in PostgreSQL (the sign-in
 * limits' table) so that every API instance shares them. A write reserves its amounts before any
 * expensive work, in one atomic statement: the user's counters first, the district's only if the user's
 * all took it, so a user flooding past their own limit never touches the district's ceiling and
 * others are not refused on their account. A refused write keeps nothing and answers 429
 * RATE_LIMITED with Retry-After. The first refusal of a counter in its window is audited and raises a
 * security alert; later ones in the same window are neither, so a flood cannot flood the log.
 *
 * Cost on an allowed write: one statement (two counter rows per quota), and once an hour per process
 * one DELETE of dead windows.
 */
@Injectable()
export class QuotaService {
  private prunedThrough = 0;

  constructor(
    private readonly db: Database,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly alertDelivery: AlertDeliveryStarter,
    @Inject(API_METRICS) private readonly metrics: ApiMetrics,
  ) {}

  /** Counts one write of `quota`, runs it, and gives the count back if it fails. */
  async within<T>(
    subject: QuotaSubject,
    quota: Exclude<QuotaName, 'upload_bytes'>,
    write: () => Promise<T>,
  ): Promise<T> {
    const reservation = await this.reserve(subject, { [quota]: 1 });
    try {
      return await write();
    } catch (error) {
      await reservation.release();
      throw error;
    }
  }

  /** Reserves the amounts given per quota, or throws RateLimitedError having reserved nothing. */
  async reserve(
    subject: QuotaSubject,
    amounts: Partial<Record<QuotaName, number>>,
  ): Promise<QuotaReservation> {
    const now = new Date();
    const window = fixedWindow(now.getTime(), QUOTA_WINDOW_SECONDS);
    const demands = await Promise.all(
      (Object.entries(amounts) as [QuotaName, number][]).map(([quota, amount]) =>
        this.demand(subject, quota, amount),
      ),
    );
    const charges = quotaCharges(subject, demands);
    const impossible = chargesOverLimit(charges);
    if (impossible.length > 0) return this.refuse(subject, impossible, window, now);

    const { first, then } = chargeStages(charges);
    const accepted = await this.db.rateLimits.consume(first, then, window.start);
    await this.pruneOldWindows(window);
    const decision = decideQuota(charges, accepted);
    if (!decision.allowed) {
      await this.db.rateLimits.release(decision.toRelease, window.start);
      return this.refuse(subject, decision.refused, window, now);
    }
    // Giving back happens at most once, so a caller's error paths cannot give back twice.
    let settled = false;
    const giveBack = async (amounts: { key: string; amount: number }[]) => {
      if (settled) return;
      settled = true;
      await this.db.rateLimits.release(amounts, window.start);
    };
    return {
      release: () => giveBack(charges),
      settle: (quota, used) =>
        giveBack(
          charges
            .filter((charge) => charge.quota === quota)
            .map((charge) => ({ key: charge.key, amount: charge.amount - used })),
        ),
    };
  }

  private async demand(subject: QuotaSubject, quota: QuotaName, amount: number): Promise<QuotaDemand> {
    const c = this.config;
    switch (quota) {
      case 'messages':
        return {
          quota,
          amount,
          userLimit: c.QUOTA_MESSAGES_PER_USER_PER_HOUR,
          districtLimit: c.QUOTA_MESSAGES_PER_DISTRICT_PER_HOUR,
        };
      case 'announcements': {
        const settings = await this.db.districts.settings(subject.districtId);
        return {
          quota,
          amount,
          userLimit: settings?.announcementsPerTeacherPerHour ?? c.QUOTA_ANNOUNCEMENTS_PER_TEACHER_PER_HOUR,
          districtLimit: c.QUOTA_ANNOUNCEMENTS_PER_DISTRICT_PER_HOUR,
        };
      }
      case 'uploads':
        return {
          quota,
          amount,
          userLimit: c.QUOTA_UPLOADS_PER_USER_PER_HOUR,
          districtLimit: c.QUOTA_UPLOADS_PER_DISTRICT_PER_HOUR,
        };
      case 'upload_bytes':
        return {
          quota,
          amount,
          userLimit: c.QUOTA_UPLOAD_BYTES_PER_USER_PER_HOUR,
          districtLimit: c.QUOTA_UPLOAD_BYTES_PER_DISTRICT_PER_HOUR,
        };
      case 'reports':
        return {
          quota,
          amount,
          userLimit: c.QUOTA_REPORTS_PER_USER_PER_HOUR,
          districtLimit: c.QUOTA_REPORTS_PER_DISTRICT_PER_HOUR,
        };
      case 'invitations':
        return {
          quota,
          amount,
          userLimit: c.QUOTA_INVITATIONS_PER_USER_PER_HOUR,
          districtLimit: c.QUOTA_INVITATIONS_PER_DISTRICT_PER_HOUR,
        };
    }
  }

  /**
   * Counts the refusal of each refused counter in its window; the first one of a counter is audited
   * and alerted (the audit event and the stored alert commit together), then the webhook is told.
   */
  private async refuse(
    subject: QuotaSubject,
    refused: readonly QuotaCharge[],
    window: FixedWindow,
    now: Date,
  ): Promise<never> {
    for (const charge of refused)
      this.metrics.quotaRefusals.inc({ quota: charge.quota, scope: charge.scope });
    const refusals = await this.db.rateLimits.hit(refused.map(refusalKey), window.start);
    for (const charge of refused) {
      if (refusals.get(refusalKey(charge)) !== 1) continue;
      try {
        await this.recordFirstRefusal(subject, charge, window);
      } catch (error) {
        // Unrecorded, it is not the first refusal yet: the next one in the window tries again.
        await this.db.rateLimits.reset(refusalKey(charge), window.start);
        throw error;
      }
    }
    throw new RateLimitedError(retryAfterSeconds(window, now.getTime()), quotaRefusalMessage(refused[0]!));
  }

  private async recordFirstRefusal(subject: QuotaSubject, charge: QuotaCharge, window: FixedWindow) {
    const details = {
      quota: charge.quota,
      scope: charge.scope,
      limit: charge.limit,
      windowStart: window.start.toISOString(),
      windowSeconds: QUOTA_WINDOW_SECONDS,
    };
    const alertId = await this.db.transaction(subject.districtId, async (tx) => {
      const alertId = await new SecurityAlerts(tx).quotaExceeded({
        scope: charge.scope,
        userId: subject.userId,
        severity: charge.scope === 'district' ? 'high' : 'medium',
        details,
      });
      await tx.audit.append({
        actorId: subject.userId,
        action: QUOTA_EXCEEDED_ACTION,
        targetType: charge.scope,
        targetId: charge.subjectId,
        details: { ...details, alertId },
      });
      return alertId;
    });
    await this.alertDelivery.deliver(subject.districtId, alertId);
  }

  /**
   * Once per window and process, drops counters of windows that started before the longest window any
   * counter of the table may use, so neither these counters nor the sign-in limits lose live counts.
   */
  private async pruneOldWindows(window: FixedWindow): Promise<void> {
    const start = window.start.getTime();
    if (start <= this.prunedThrough) return;
    this.prunedThrough = start;
    await this.db.rateLimits.pruneBefore(new Date(start - MAX_WINDOW_SECONDS * 1000));
  }
}
