import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { type WorkerConfig } from '../libs/config/config';
import { type FieldCipher } from '../libs/crypto/envelope';
import { type Database } from '../libs/db/database';
import { type Logger } from '../libs/logging/logger';
import {
  OneRosterRefusedError,
  OneRosterSecretMissingError,
  OneRosterSourceInvalidError,
  OneRosterTokenCache,
  OneRosterUnavailableError,
} from '../libs/adapters/oneroster-api';
import {
  checkRosterApiSource,
  discardRosterApiPages,
  fetchRosterApiPage,
  ROSTER_EXPORT_INVALID,
  ROSTER_IMPORT_UNAVAILABLE,
  type RosterApiDeps,
  type RosterApiPageCounts,
  type RosterApiPageRequest,
  type RosterApiSkipped,
  type RosterApiStaging,
  RosterExportTooLargeError,
  type RosterImportInput,
  RosterImportUnavailableError,
  stageRosterApiExport,
  refusingWhenUnavailable,
  type WorkflowStateLookup,
} from '../libs/roster-import';
import { ROSTER_API_REFUSED } from '../libs/domain/roster-import/phases';
import { type BlobStore } from '../libs/adapters/storage';

export interface RosterApiActivityDeps {
  config: WorkerConfig;
  db: Database;
  fieldCipher: FieldCipher;
  blobStore: BlobStore;
  logger: Logger;
  /** Where an earlier import's workflow stands (the worker's workflow gateway). */
  workflowState: WorkflowStateLookup;
}

/** Four requests at most per page (token, page, and again after a 401) stay inside the heartbeat timeout. */
const REQUEST_TIMEOUT_MS = 30_000;
const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/**
 * The OneRoster REST source's activities: one page per call, so Temporal's retry policy (set in the
 * workflow) is the only retry layer; the client itself never loops. Inputs and results are ids,
 * collection names, page numbers, counts and the provider's own next-page URL; records go to
 * encrypted storage, never into a workflow history.
 */
export function createRosterApiActivities(deps: RosterApiActivityDeps) {
  const { config, logger } = deps;
  const { db, fieldCipher: keys, blobStore: store } = deps;
  const workflowState = refusingWhenUnavailable(deps.workflowState);
  // Shared by every page of every district on this worker: a token is fetched once per lifetime.
  const tokens = new OneRosterTokenCache();
  const apiDeps = (): RosterApiDeps => ({
    db,
    store,
    keys,
    maxBytes: config.ROSTER_UPLOAD_MAX_BYTES,
    environment: config.HOMEROOM_ENV,
    secrets: { env: process.env, secretsFile: config.ROSTER_API_SECRETS_FILE },
    client: {
      pageSize: config.ROSTER_API_PAGE_SIZE,
      timeoutMs: REQUEST_TIMEOUT_MS,
      maxResponseBytes: MAX_RESPONSE_BYTES,
      tokens,
    },
    workflowState,
  });

  return {
    async checkRosterApiSource(input: {
      districtId: string;
    }): Promise<{ status: 'ready' } | RosterApiSkipped> {
      return checkRosterApiSource(apiDeps(), input.districtId);
    },

    async fetchRosterApiPage(request: RosterApiPageRequest): Promise<{ count: number; next: string | null }> {
      const context = Context.current();
      context.heartbeat();
      try {
        const page = await fetchRosterApiPage(apiDeps(), request);
        context.heartbeat();
        return page;
      } catch (error) {
        throw asFailure(error, logger, request);
      }
    },

    async stageRosterApiExport(
      input: RosterImportInput & { pages: RosterApiPageCounts },
    ): Promise<RosterApiStaging> {
      Context.current().heartbeat();
      try {
        return await stageRosterApiExport(apiDeps(), input, input.pages);
      } catch (error) {
        if (error instanceof RosterExportTooLargeError) {
          throw ApplicationFailure.create({
            type: ROSTER_EXPORT_INVALID,
            message: error.message,
            nonRetryable: true,
          });
        }
        throw error;
      }
    },

    async discardRosterApiPages(
      input: RosterImportInput & { pages: Partial<RosterApiPageCounts> },
    ): Promise<void> {
      await discardRosterApiPages({ store }, input, input.pages);
    },
  };
}

/**
 * Unavailable providers are retried by Temporal, after the provider's own Retry-After when it sent
 * one; refusals (credentials, a bad response, a missing secret or source) are not retried.
 */
function asFailure(error: unknown, logger: Logger, request: RosterApiPageRequest): unknown {
  const where = { districtId: request.districtId, collection: request.collection, page: request.page };
  if (error instanceof OneRosterUnavailableError) {
    logger.warn({ ...where, retryAfterMs: error.retryAfterMs }, error.message);
    return ApplicationFailure.create({
      type: 'OneRosterUnavailable',
      message: error.message,
      ...(error.retryAfterMs !== null ? { nextRetryDelay: error.retryAfterMs } : {}),
    });
  }
  if (
    error instanceof OneRosterRefusedError ||
    error instanceof OneRosterSecretMissingError ||
    error instanceof OneRosterSourceInvalidError
  ) {
    logger.warn(where, error.message);
    return ApplicationFailure.create({
      type: ROSTER_API_REFUSED,
      message: error.message,
      nonRetryable: true,
    });
  }
  if (error instanceof RosterImportUnavailableError) {
    return ApplicationFailure.create({
      type: ROSTER_IMPORT_UNAVAILABLE,
      message: error.message,
      nonRetryable: true,
    });
  }
  return error;
}
