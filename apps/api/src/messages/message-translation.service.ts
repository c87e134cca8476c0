import { Inject, Injectable } from '@nestjs/common';
import { type Logger } from '../../../../libs/logging/logger';
import { type SubjectKind } from '../../../../libs/domain/translation/translation-subject';
import { type ReaderTranslation, TranslationReader } from '../../../../libs/translation/translation-reader';
import { startTranslationWorkflow } from '../../../../libs/translation/translation-workflow-start';
import { LOGGER } from '../common/tokens';
import { TemporalClientService } from '../temporal/temporal-client.service';

/**
 * A send waits this long at most for Temporal to take its translation, as uploads and announcements
 * do: the client's own retries of an unreachable server add up to about twenty seconds, and the
 * message is already stored.
 */
const TRANSLATION_START_DEADLINE_MS = 5_000;

/**
 * Messaging's side of translation (issue 6): start translating a message whose reader prefers another
 * language, and attach stored translations to what a reader is shown. Neither can hold up a message:
 * starting is attempted after the message is stored and a failure is only logged; reading shows the
 * original until a translation exists.
 */
@Injectable()
export class MessageTranslationService {
  constructor(
    private readonly temporal: TemporalClientService,
    private readonly reader: TranslationReader,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async startIfNeeded(
    districtId: string,
    messageId: string,
    languages: { source: string; reader: string },
  ): Promise<void> {
    if (languages.source === languages.reader) return;
    try {
      await this.temporal.connection.withDeadline(Date.now() + TRANSLATION_START_DEADLINE_MS, () =>
        startTranslationWorkflow(this.temporal.client, this.temporal.taskQueue, {
          districtId,
          subjectKind: 'message',
          subjectId: messageId,
        }),
      );
    } catch {
      this.logger.warn({ messageId }, 'message translation could not be started; readers see the original');
    }
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
