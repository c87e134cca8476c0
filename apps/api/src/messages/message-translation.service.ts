import { Inject, Injectable } from '@nestjs/common';
import { type ApiConfig } from '../../../../libs/config/config';
import { type TenantRepositories } from '../../../../libs/db/database';
import { type SubjectKind } from '../../../../libs/domain/translation/translation-subject';
import { type ReaderTranslation, TranslationReader } from '../../../../libs/translation/translation-reader';
import { API_CONFIG } from '../common/tokens';

/**
 * Messaging's side of translation (issues 6 and 14): owe a translation to a message whose reader
 * prefers another language, and attach stored translations to what a reader is shown. Neither holds
 * up a message: the translation start is a row of the workflow outbox, committed with the message and
 * started by the worker's drainer, so a send never waits for Temporal and a translation owed is never
 * lost after the commit; reading shows the original until a translation exists.
 */
@Injectable()
export class MessageTranslationService {
  constructor(
    private readonly reader: TranslationReader,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  /** Whether a message in `source` owes its reader a translation. */
  needed(languages: { source: string; reader: string }): boolean {
    return languages.source !== languages.reader;
  }

  /** Queues the translation of a message just inserted; `tx` is the transaction that inserted it. */
  async queue(tx: TenantRepositories, messageId: string): Promise<void> {
    await tx.outbox.enqueue(
      { kind: 'message_translation', subjectId: messageId },
      this.config.TEMPORAL_TASK_QUEUE,
    );
  }

  /** Stored translations into the reader's language for a page of messages or announcements, by id. */
  async forPage(
    reader: { districtId: string; preferredLanguage: string },
    kind: SubjectKind,
    subjects: readonly { id: string; sourceLanguage: string }[],
  ): Promise<ReadonlyMap<string, ReaderTranslation>> {
    if (subjects.every((subject) => subject.sourceLanguage === reader.preferredLanguage)) return new Map();
    return this.reader.translationsFor(reader, kind, subjects);
  }
}
