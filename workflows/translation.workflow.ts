import { log, proxyActivities } from '@temporalio/workflow';
import type { TranslationActivities, TranslationSubjectRef } from '../activities/translation.activities';

export interface TranslationWorkflowInput extends TranslationSubjectRef {
  /** Retry policy of each language's translation; defaults suit a real provider, tests shorten them. */
  retry?: { initialIntervalMs?: number; maximumIntervalMs?: number; maximumAttempts?: number };
  /** How soon an attempt on a worker that died is retried elsewhere; default 10 s. */
  heartbeatTimeoutMs?: number;
}

export interface TranslationWorkflowResult {
  targetLanguages: number;
  translated: number;
  alreadyTranslated: number;
  /** Languages given up on after the retries (or at once, for errors a retry cannot fix). */
  failed: number;
  /** Readers' languages the provider does not offer; those readers read the original. */
  unsupportedLanguages: number;
}

/**
 * Translates one message or announcement into every language its readers prefer, once per language,
 * each language its own activity with retries and backoff. Nothing here can delay the original: the
 * message is stored and the announcement delivered before this starts, and readers see the original
 * until a translation is stored. A language that keeps failing is counted, logged, and left.
 *
 * Started per subject with id `translation-<kind>-<id>` (libs/temporal/workflow-ids.ts): through the
 * workflow gateway by the API after storing a message, and by the announcement fan-out as an
 * abandoned child once the deliveries exist.
 */
export async function translationWorkflow(
  input: TranslationWorkflowInput,
): Promise<TranslationWorkflowResult> {
  const ref: TranslationSubjectRef = {
    districtId: input.districtId,
    subjectKind: input.subjectKind,
    subjectId: input.subjectId,
  };
  const lookups = proxyActivities<TranslationActivities>({
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 10 },
  });
  // The one retry policy for the translation provider: the adapter sends each request once (its SDK's
  // retries are off), so throttling and outages are retried here, with backoff, in the history.
  const translations = proxyActivities<TranslationActivities>({
    startToCloseTimeout: '5 minutes',
    heartbeatTimeout: input.heartbeatTimeoutMs ?? 10_000,
    retry: {
      initialInterval: input.retry?.initialIntervalMs ?? 2_000,
      backoffCoefficient: 2,
      maximumInterval: input.retry?.maximumIntervalMs ?? 300_000,
      maximumAttempts: input.retry?.maximumAttempts ?? 12,
    },
  });

  const { languages, unsupportedLanguages } = await lookups.findTranslationTargets(ref);
  const outcomes = await Promise.allSettled(
    languages.map((language) => translations.translateSubject({ ...ref, language })),
  );
  const result: TranslationWorkflowResult = {
    targetLanguages: languages.length,
    translated: 0,
    alreadyTranslated: 0,
    failed: 0,
    unsupportedLanguages,
  };
  for (const outcome of outcomes) {
    if (outcome.status === 'rejected') result.failed++;
    else if (outcome.value.outcome === 'translated') result.translated++;
    else result.alreadyTranslated++;
  }
  if (result.failed > 0) log.warn('some translations failed; their readers see the original', { ...result });
  return result;
}
