import { ApplicationFailure, Context } from '@temporalio/activity';
import { type Database } from '../libs/db/database';
import { type Logger } from '../libs/logging/logger';
import { type WorkerMetrics } from '../libs/logging/metrics';
import { fanOutBatchCount, studentIdRange } from '../libs/domain/messaging/fan-out-plan';

/** Every activity of the fan-out takes ids only and returns counts only (DESIGN.md invariant 4). */
export interface AnnouncementRef {
  districtId: string;
  announcementId: string;
}

export interface FanOutPlan {
  recipientCount: number;
  batchCount: number;
  /** Whether any recipient prefers another language than the announcement's: then it is translated. */
  translationNeeded: boolean;
}

export interface BatchRef extends AnnouncementRef {
  batch: number;
  batchCount: number;
}

export interface BatchResult {
  recipients: number;
  inserted: number;
}

export interface FanOutCounts {
  recipientCount: number;
  deliveredCount: number;
}

export const ANNOUNCEMENT_NOT_FOUND = 'AnnouncementNotFound';

/** How often a running batch tells the server it is alive, so a killed worker's batch is retried soon. */
const HEARTBEAT_INTERVAL_MS = 1_000;

export function createAnnouncementActivities(deps: { db: Database; logger: Logger; metrics: WorkerMetrics }) {
  const { db } = deps;

  return {
    /**
     * Resolves how many people the announcement reaches now, records it, sizes the batches, and tells
     * whether anyone reads another language.
     */
    async planAnnouncementFanOut(ref: AnnouncementRef): Promise<FanOutPlan> {
      const { announcements, deliveries } = db.forDistrict(ref.districtId);
      const scope = await announcements.findScope(ref.announcementId);
      if (!scope) {
        throw ApplicationFailure.nonRetryable('The announcement does not exist.', ANNOUNCEMENT_NOT_FOUND);
      }
      const counts = await deliveries.countRecipientsByLanguage(scope, scope.sourceLanguage);
      const recipientCount = counts.recipients;
      await announcements.recordRecipientCount(ref.announcementId, recipientCount);
      const plan = {
        recipientCount,
        batchCount: fanOutBatchCount(recipientCount),
        translationNeeded: counts.otherLanguage > 0,
      };
      deps.logger.debug({ announcementId: ref.announcementId, ...plan }, 'announcement fan-out planned');
      return plan;
    },

    /** Writes one batch of deliveries; idempotent, so a retry after a crash writes nothing twice. */
    async deliverAnnouncementBatch(ref: BatchRef): Promise<BatchResult> {
      const context = Context.current();
      context.heartbeat();
      const heartbeat = setInterval(() => context.heartbeat(), HEARTBEAT_INTERVAL_MS);
      try {
        const result = await db
          .forDistrict(ref.districtId)
          .deliveries.writeBatch(ref.announcementId, studentIdRange(ref.batch, ref.batchCount));
        deps.metrics.fanOutDeliveries.inc(result.inserted);
        return result;
      } finally {
        clearInterval(heartbeat);
      }
    },

    async completeAnnouncementFanOut(ref: AnnouncementRef): Promise<FanOutCounts> {
      const counts = await db
        .forDistrict(ref.districtId)
        .announcements.markDelivered(ref.announcementId, new Date());
      deps.logger.info({ announcementId: ref.announcementId, ...counts }, 'announcement delivered');
      return counts;
    },

    async failAnnouncementFanOut(ref: AnnouncementRef): Promise<void> {
      await db.forDistrict(ref.districtId).announcements.markFailed(ref.announcementId);
      deps.logger.warn({ announcementId: ref.announcementId }, 'announcement fan-out failed');
    },
  };
}

export type AnnouncementActivities = ReturnType<typeof createAnnouncementActivities>;
