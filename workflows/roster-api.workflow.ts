import { ApplicationFailure, CancellationScope, proxyActivities, uuid4 } from '@temporalio/workflow';
import type { createRosterApiActivities } from '../activities/roster-api.activities';
import { ONEROSTER_COLLECTIONS } from '../libs/domain/roster/oneroster-collections';
import type { RosterApiPageCounts, RosterApiSkipped } from '../libs/roster-import/api-source';
import { ROSTER_API_REFUSED, type RosterImportResult } from '../libs/domain/roster-import/phases';
import { runStagedRosterImport } from './staged-roster-import';

type RosterApiActivities = ReturnType<typeof createRosterApiActivities>;

/**
 * The one retry policy for the provider: a 5xx, a timeout or a network error is tried again with
 * backoff; a 429 waits for the provider's Retry-After (the activity sets the next delay). The client
 * has no retry loop of its own.
 */
const pages = proxyActivities<RosterApiActivities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '3 minutes',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '2 minutes',
    maximumAttempts: 8,
  },
});

const staging = proxyActivities<RosterApiActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '5 minutes',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 5,
  },
});

/**
 * Each page is a few history events: this bounds a pass well inside Temporal's 51,200-event limit
 * (2,500 pages of 500 records: over a million rows).
 */
export const MAX_PAGES_PER_PASS = 2_500;

export interface RosterApiInput {
  districtId: string;
}

export type RosterApiResult = RosterApiSkipped | ({ importId: string } & RosterImportResult);

/**
 * What a district's OneRoster REST Schedule runs: page through orgs, academicSessions, classes, users
 * and enrollments (one activity per page), stage the pass as one OneRoster bulk export and run it as
 * the standard `roster-<districtId>-<importId>` child, the same validation, diff and apply steps as an
 * uploaded export. Skipped while another import of the district runs, or when nothing changed.
 */
export async function rosterApiWorkflow(input: RosterApiInput): Promise<RosterApiResult> {
  const ref = { districtId: input.districtId, importId: uuid4() };
  const ready = await staging.checkRosterApiSource({ districtId: ref.districtId });
  if (ready.status === 'skipped') return ready;

  const fetched: Partial<RosterApiPageCounts> = {};
  let total = 0;
  let staged: Awaited<ReturnType<RosterApiActivities['stageRosterApiExport']>>;
  try {
    for (const collection of ONEROSTER_COLLECTIONS) {
      let cursor: string | null = null;
      let page = 0;
      do {
        if (++total > MAX_PAGES_PER_PASS) {
          throw ApplicationFailure.create({
            type: ROSTER_API_REFUSED,
            message: `the provider has more than ${MAX_PAGES_PER_PASS} pages: raise ROSTER_API_PAGE_SIZE`,
            nonRetryable: true,
          });
        }
        const result: { next: string | null } = await pages.fetchRosterApiPage({
          ...ref,
          collection,
          page,
          cursor,
        });
        fetched[collection] = ++page;
        cursor = result.next;
      } while (cursor !== null);
    }
    staged = await staging.stageRosterApiExport({ ...ref, pages: fetched as RosterApiPageCounts });
  } catch (error) {
    // Staging deletes the pages it read; a pass that stops on the way must not leave them behind.
    await CancellationScope.nonCancellable(() => staging.discardRosterApiPages({ ...ref, pages: fetched }));
    throw error;
  }
  if (staged.status === 'skipped') return staged;
  return runStagedRosterImport(ref);
}
