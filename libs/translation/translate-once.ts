import { type FieldCipher } from '../crypto/envelope';
import { type Database } from '../db/database';
import {
  TranslationSubjectNotFoundError,
  UnsupportedLanguagePairError,
} from '../domain/translation/translation-errors';
import { type TranslationProvider } from '../adapters/translate/translation-provider';
import {
  subjectBodyAad,
  translationBodyAad,
  type TranslationSubject,
} from '../domain/translation/translation-subject';

export interface TranslationDeps {
  db: Database;
  cipher: FieldCipher;
  provider: TranslationProvider;
  /** Let the provider detect the source language where it can (TRANSLATION_DETECT_SOURCE). */
  detectSource?: boolean;
  /** Longest one translation may hold its lock and database connection; default 5 minutes, the activity's own limit. */
  transactionTimeoutMs?: number;
}

export interface TranslateOnceInput {
  districtId: string;
  subject: TranslationSubject;
  targetLanguage: string;
}

export type TranslateOnceOutcome = 'translated' | 'already-translated' | 'same-language';

/**
 * Makes sure the subject's translation into `targetLanguage` is stored, asking the provider only if it
 * is not. Safe to call any number of times, from any number of processes at once:
 *
 * - a stored translation is found first and nothing else happens;
 * - otherwise the work runs in a transaction holding an advisory lock on (subject, language), and the
 *   check is repeated under it, so concurrent callers wait for the first and then find its row instead
 *   of calling the provider again;
 * - the insert is ON CONFLICT DO NOTHING on the unique (subject, language), so no path stores two.
 *
 * What remains: a process that dies after the provider answered and before the commit loses that
 * answer (the lock goes with its connection), and the next attempt asks the provider once more. That is
 * the only way a (subject, language) costs a second provider call.
 *
 * The body is opened with the AAD messaging seals it with (`message:<id>`, `announcement:<id>`); the
 * translation is sealed under the district's data key with `translation:<kind>:<id>:<language>`.
 */
export async function translateOnce(
  deps: TranslationDeps,
  input: TranslateOnceInput,
): Promise<TranslateOnceOutcome> {
  const { districtId, subject, targetLanguage } = input;
  const tenant = deps.db.forDistrict(districtId);
  if (await tenant.translations.exists(subject, targetLanguage)) return 'already-translated';

  const source = await tenant.translations.findSource(subject);
  if (!source) throw new TranslationSubjectNotFoundError(subject.kind, subject.id);
  if (source.sourceLanguage === targetLanguage) return 'same-language';
  if (!deps.provider.supportedLanguages().includes(targetLanguage)) {
    throw new UnsupportedLanguagePairError(source.sourceLanguage, targetLanguage);
  }

  return deps.db.transaction(
    districtId,
    async ({ translations }) => {
      await translations.lockForTranslating(subject, targetLanguage);
      if (await translations.exists(subject, targetLanguage)) return 'already-translated';

      const original = await deps.cipher.decrypt(
        source.dataKeyId,
        source.bodyCiphertext,
        subjectBodyAad(subject),
      );
      const detect = deps.detectSource === true && deps.provider.supportsAutoDetect;
      const result = await deps.provider.translate(original, {
        source: detect ? 'auto' : source.sourceLanguage,
        target: targetLanguage,
      });
      const sealed = await deps.cipher.encrypt(
        districtId,
        result.text,
        translationBodyAad(subject, targetLanguage),
      );
      const inserted = await translations.insertIfAbsent({
        subject,
        language: targetLanguage,
        bodyCiphertext: sealed.ciphertext,
        dataKeyId: sealed.dataKeyId,
        provider: deps.provider.name,
      });
      return inserted ? 'translated' : 'already-translated';
    },
    { timeoutMs: deps.transactionTimeoutMs ?? 300_000, maxWaitMs: 30_000 },
  );
}
