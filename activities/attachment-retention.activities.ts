import { Context } from '@temporalio/activity';
import { type WorkerConfig } from '../libs/config/config';
import { type Database } from '../libs/db/database';
import { type Logger } from '../libs/logging/logger';
import { type BlobStore } from '../libs/adapters/storage';

export interface RetentionSweepResult {
  orphansDeleted: number;
  expiredLinksDeleted: number;
  /** True when the sweep stopped at its per-run cap; the next run continues. */
  more: boolean;
}

const BATCH = 100;
const MAX_PER_SWEEP = 5_000;

export function createAttachmentRetentionActivities(deps: {
  config: WorkerConfig;
  db: Database;
  logger: Logger;
  blobStore: BlobStore;
}) {
  const { db, blobStore: store } = deps;

  return {
    /**
     * Deletes uploads that no message or announcement carries once they are older than
     * ORPHAN_ATTACHMENT_MAX_AGE_HOURS (blob, links and row), and download links that have expired.
     * Safe to re-run at any point: each orphan is re-checked under a row lock before it goes.
     */
    async sweepOrphanedAttachments(): Promise<RetentionSweepResult> {
      const now = Date.now();
      const cutoff = new Date(now - deps.config.ORPHAN_ATTACHMENT_MAX_AGE_HOURS * 3_600_000);
      let orphansDeleted = 0;
      let examined = 0;
      let more = false;
      for (;;) {
        const candidates = await db.attachmentRetention.listOrphans(cutoff, BATCH);
        let deletedInBatch = 0;
        for (const candidate of candidates) {
          if (await db.attachmentRetention.deleteOrphan(candidate, (key) => store.delete(key)))
            deletedInBatch += 1;
        }
        orphansDeleted += deletedInBatch;
        examined += candidates.length;
        heartbeat(orphansDeleted);
        if (candidates.length < BATCH || deletedInBatch === 0) break;
        if (examined >= MAX_PER_SWEEP) {
          more = true;
          break;
        }
      }
      const expiredLinksDeleted = await db.downloadLinkTokens.deleteExpired(new Date(now));
      deps.logger.info({ orphansDeleted, expiredLinksDeleted, more }, 'attachment retention sweep finished');
      return { orphansDeleted, expiredLinksDeleted, more };
    },
  };
}

/** Outside an activity (a direct call in a test) there is no context to heartbeat to. */
function heartbeat(progress: number): void {
  try {
    Context.current().heartbeat(progress);
  } catch {
    return;
  }
}

export type AttachmentRetentionActivities = ReturnType<typeof createAttachmentRetentionActivities>;
