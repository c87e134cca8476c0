import { type FieldCipher } from '../crypto/envelope';
import { type Database } from '../db/database';
import { type StoredTranslation } from '../db/repositories/translation.repository';
import {
  translationBodyAad,
  type SubjectKind,
  type TranslationSubject,
} from '../domain/translation/translation-subject';

export interface TranslationReaderIdentity {
  districtId: string;
  preferredLanguage: string;
}

export interface TranslatableSubject extends TranslationSubject {
  sourceLanguage: string;
}

/** The `translation` field of the API's message and announcement responses. */
export interface ReaderTranslation {
  language: string;
  body: string;
  /** The provider that made it: `aws-translate`, or `local-pseudo` for the embedded stack's marker. */
  provider: string;
}

/**
 * The reader's side of translation, for the API's response mappers: the stored translation of a
 * message or announcement into the reader's preferred language, or undefined when the reader reads
 * the source language or no translation exists yet (the reader sees the original meanwhile). It never
 * asks a provider; the translation workflow does that.
 */
export class TranslationReader {
  constructor(private readonly deps: { db: Database; cipher: FieldCipher }) {}

  async translationFor(
    reader: TranslationReaderIdentity,
    subject: TranslatableSubject,
  ): Promise<ReaderTranslation | undefined> {
    if (reader.preferredLanguage === subject.sourceLanguage) return undefined;
    const stored = await this.deps.db
      .forDistrict(reader.districtId)
      .translations.find(subject, reader.preferredLanguage);
    return stored ? this.open(subject.kind, stored) : undefined;
  }

  /** {@link translationFor} for a page of subjects of one kind, in one query; keyed by subject id. */
  async translationsFor(
    reader: TranslationReaderIdentity,
    kind: SubjectKind,
    subjects: readonly { id: string; sourceLanguage: string }[],
  ): Promise<Map<string, ReaderTranslation>> {
    const ids = subjects.filter((s) => s.sourceLanguage !== reader.preferredLanguage).map((s) => s.id);
    const stored = await this.deps.db
      .forDistrict(reader.districtId)
      .translations.findMany(kind, ids, reader.preferredLanguage);
    const opened = await Promise.all(
      stored.map(async (row) => [row.subjectId, await this.open(kind, row)] as const),
    );
    return new Map(opened);
  }

  private async open(kind: SubjectKind, stored: StoredTranslation): Promise<ReaderTranslation> {
    const aad = translationBodyAad({ kind, id: stored.subjectId }, stored.language);
    return {
      language: stored.language,
      body: await this.deps.cipher.decrypt(stored.dataKeyId, stored.bodyCiphertext, aad),
      provider: stored.provider,
    };
  }
}
