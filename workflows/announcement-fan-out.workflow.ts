import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ActivityFailure,
  ApplicationFailure,
  continueAsNew,
  defineQuery,
  isCancellation,
  log,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type {
  AnnouncementActivities,
  AnnouncementRef,
  FanOutCounts,
  FanOutPlan,
} from '../activities/announcement.activities';
import { FAN_OUT_BATCHES_PER_RUN, FAN_OUT_MAX_IN_FLIGHT } from '../libs/domain/messaging/fan-out-plan';
import { DISTRICT_ID } from '../libs/adapters/temporal/workflow-safe/search-attributes';
import { queryNames, workflowIds } from '../libs/adapters/temporal/workflow-safe/workflow-ids';

export interface AnnouncementFanOutInput extends AnnouncementRef {
  /** Set by continue-as-new only: the plan and the first batch the new run still has to write. */
  resume?: { plan: FanOutPlan; nextBatch: number };
  /** Batches per run before continuing as new; tests lower it to exercise continue-as-new. */
  batchesPerRun?: number;
}

export interface AnnouncementFanOutProgress {
  stage: 'planning' | 'delivering' | 'completing' | 'delivered' | 'failed';
  recipientCount: number | null;
  batchCount: number | null;
  /** Batches finished, counting those of earlier runs. */
  batchesDone: number;
}

export const announcementProgressQuery = defineQuery<AnnouncementFanOutProgress>(
  queryNames.announcementProgress,
);

const planning = proxyActivities<AnnouncementActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '30 seconds' },
});

/**
 * A batch normally takes milliseconds. The heartbeat timeout, not the start-to-close timeout, is what
 * notices a worker killed mid-batch, so its batch is retried elsewhere within seconds.
 */
const batches = proxyActivities<AnnouncementActivities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '3 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '30 seconds' },
});

/**
 * Delivers an announcement to its section's current students and their guardians. The input and every
 * activity payload carry ids and counts only. Recipients are resolved when the batches run (the roster
 * at send time). Batches are ranges of student ids, each with those students' guardians
 * (libs/messaging/fan-out-plan.ts), at most FAN_OUT_MAX_IN_FLIGHT at a time, each an idempotent
 * multi-row insert, so a crash anywhere re-runs at most a few batches and never delivers twice.
 */
export async function announcementFanOutWorkflow(input: AnnouncementFanOutInput): Promise<FanOutCounts> {
  const ref: AnnouncementRef = { districtId: input.districtId, announcementId: input.announcementId };
  const progress: AnnouncementFanOutProgress = {
    stage: 'planning',
    recipientCount: input.resume?.plan.recipientCount ?? null,
    batchCount: input.resume?.plan.batchCount ?? null,
    batchesDone: input.resume?.nextBatch ?? 0,
  };
  setHandler(announcementProgressQuery, () => ({ ...progress }));

  try {
    const plan = input.resume?.plan ?? (await planning.planAnnouncementFanOut(ref));
    progress.recipientCount = plan.recipientCount;
    progress.batchCount = plan.batchCount;
    progress.stage = 'delivering';

    const runLimit = input.batchesPerRun ?? FAN_OUT_BATCHES_PER_RUN;
    const firstBatch = input.resume?.nextBatch ?? 0;
    let nextBatch = firstBatch;
    const inFlight = new Set<Promise<void>>();
    while (nextBatch < plan.batchCount) {
      if (nextBatch - firstBatch >= runLimit || workflowInfo().continueAsNewSuggested) {
        await Promise.all(inFlight);
        return await continueAsNew<typeof announcementFanOutWorkflow>({
          ...ref,
          resume: { plan, nextBatch },
          batchesPerRun: input.batchesPerRun,
        });
      }
      if (inFlight.size >= FAN_OUT_MAX_IN_FLIGHT) {
        await Promise.race(inFlight);
        continue;
      }
      const batch = nextBatch++;
      const running: Promise<void> = batches
        .deliverAnnouncementBatch({ ...ref, batch, batchCount: plan.batchCount })
        .then(() => {
          progress.batchesDone++;
          inFlight.delete(running);
        });
      inFlight.add(running);
    }
    await Promise.all(inFlight);

    progress.stage = 'completing';
    const counts = await planning.completeAnnouncementFanOut(ref);
    progress.stage = 'delivered';
    if (plan.translationNeeded) await startTranslation(ref);
    return counts;
  } catch (error) {
    if (isFanOutFailure(error)) {
      progress.stage = 'failed';
      await planning.failAnnouncementFanOut(ref);
    }
    throw error;
  }
}

/**
 * Translation for recipients who read another language starts once every delivery exists, as an
 * abandoned child: it never delays delivery, and it outlives this workflow. A run of it that is still
 * going is left to finish, and a failure to start it leaves the announcement delivered (readers see
 * the original).
 */
async function startTranslation(ref: AnnouncementRef): Promise<void> {
  try {
    await startChild('translationWorkflow', {
      workflowId: workflowIds.translation('announcement', ref.announcementId),
      args: [{ districtId: ref.districtId, subjectKind: 'announcement', subjectId: ref.announcementId }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      typedSearchAttributes: [{ key: DISTRICT_ID, value: ref.districtId }],
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) {
      log.warn('translation of a delivered announcement could not be started', {
        announcementId: ref.announcementId,
      });
    }
  }
}

/**
 * Activity failures end the fan-out; continue-as-new is not a failure of it, and neither is
 * cancellation (a retraction: the announcement's status already says so, and cancelled activities
 * surface as ActivityFailures caused by the cancellation).
 */
function isFanOutFailure(error: unknown): boolean {
  return (error instanceof ActivityFailure || error instanceof ApplicationFailure) && !isCancellation(error);
}
