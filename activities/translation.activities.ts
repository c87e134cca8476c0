import { ApplicationFailure, Context } from '@temporalio/activity';
import { type WorkerConfig } from '../libs/config/config';
import { type FieldCipher } from '../libs/crypto/envelope';
import { type Database } from '../libs/db/database';
import { type Logger } from '../libs/logging/logger';
import { ConcurrencyLimit } from '../libs/translation/concurrency-limit';
import { languagesNeeded } from '../libs/translation/languages-needed';
import {
  translateOnce,
  type TranslateOnceOutcome,
  type TranslationDeps,
} from '../libs/translation/translate-once';
import { TranslationError } from '../libs/domain/translation/translation-errors';
import { type TranslationProvider } from '../libs/adapters/translate/translation-provider';
import {
  SUBJECT_KINDS,
  type SubjectKind,
  type TranslationSubject,
} from '../libs/domain/translation/translation-subject';

/** Ids only (DESIGN.md invariant 4): the text is read from the database inside the activity. */
export interface TranslationSubjectRef {
  districtId: string;
  subjectKind: SubjectKind;
  subjectId: string;
}

export interface TranslateSubjectInput extends TranslationSubjectRef {
  language: string;
}

export interface TranslationTargets {
  /** Language codes to translate into; no text, no user ids. */
  languages: string[];
  /** Readers whose preferred language the provider does not offer: they read the original. */
  unsupportedLanguages: number;
}

export const TRANSLATION_SUBJECT_NOT_FOUND = 'TranslationSubjectNotFoundError';

export interface TranslationActivityDeps {
  config: WorkerConfig;
  db: Database;
  fieldCipher: FieldCipher;
  logger: Logger;
  translationProvider: TranslationProvider;
}

/** How often a running translation tells the server it is alive, so a killed worker's attempt is retried soon. */
const HEARTBEAT_INTERVAL_MS = 1_000;

export function createTranslationActivities(deps: TranslationActivityDeps) {
  const { db } = deps;
  const provider = deps.translationProvider;
  const translation: TranslationDeps = {
    db,
    cipher: deps.fieldCipher,
    provider,
    detectSource: deps.config.TRANSLATION_DETECT_SOURCE,
  };
  const limit = new ConcurrencyLimit(deps.config.TRANSLATION_MAX_CONCURRENCY);

  return {
    /** The distinct languages the subject's readers prefer, other than the one it is written in. */
    async findTranslationTargets(ref: TranslationSubjectRef): Promise<TranslationTargets> {
      const subject = subjectOf(ref);
      const translations = db.forDistrict(ref.districtId).translations;
      const source = await translations.findSource(subject);
      if (!source) {
        throw ApplicationFailure.nonRetryable(
          `${subject.kind} ${subject.id} was not found`,
          TRANSLATION_SUBJECT_NOT_FOUND,
        );
      }
      const wanted = languagesNeeded(source.sourceLanguage, await translations.readerLanguages(subject));
      const supported = new Set(provider.supportedLanguages());
      const languages = wanted.filter((language) => supported.has(language));
      return { languages, unsupportedLanguages: wanted.length - languages.length };
    },

    /**
     * Stores the subject's translation into one language unless it exists (translateOnce). Retrying
     * is always safe; provider errors arrive typed, and those a retry cannot fix are non-retryable.
     */
    async translateSubject(input: TranslateSubjectInput): Promise<{ outcome: TranslateOnceOutcome }> {
      const context = Context.current();
      context.heartbeat();
      const heartbeat = setInterval(() => context.heartbeat(), HEARTBEAT_INTERVAL_MS);
      try {
        const outcome = await limit.run(() =>
          translateOnce(translation, {
            districtId: input.districtId,
            subject: subjectOf(input),
            targetLanguage: input.language,
          }),
        );
        deps.logger.debug(
          { subjectKind: input.subjectKind, subjectId: input.subjectId, language: input.language, outcome },
          'translation stored',
        );
        return { outcome };
      } catch (error) {
        throw toActivityFailure(error);
      } finally {
        clearInterval(heartbeat);
      }
    },
  };
}

export type TranslationActivities = ReturnType<typeof createTranslationActivities>;

function subjectOf(ref: TranslationSubjectRef): TranslationSubject {
  if (!SUBJECT_KINDS.includes(ref.subjectKind)) {
    throw ApplicationFailure.nonRetryable(
      `unknown subject kind ${String(ref.subjectKind)}`,
      'InvalidTranslationSubject',
    );
  }
  return { kind: ref.subjectKind, id: ref.subjectId };
}

/** Typed translation errors keep their name as the failure type; the message never holds text. */
function toActivityFailure(error: unknown): unknown {
  if (!(error instanceof TranslationError)) return error;
  return ApplicationFailure.create({
    message: error.message,
    type: error.name,
    nonRetryable: !error.retryable,
  });
}
