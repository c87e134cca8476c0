import { Inject, Injectable } from '@nestjs/common';
import { type Logger } from '../../../../libs/logging/logger';
import { type SubjectKind } from '../../../../libs/domain/translation/translation-subject';
import { type ReaderTranslation, TranslationReader } from '../../../../libs/translation/translation-reader';
import { WorkflowGateway } from '../../../../libs/adapters/temporal/workflow-gateway';
import { LOGGER } from '../common/tokens';

/**
 * Messaging's side of translation (issue 6): start translating a message whose reader prefers another
 * language, and attach stored translations to what a reader is shown. Neither can hold up a message:
 * starting is attempted after the message is stored and a failure is only logged; reading shows the
 * original until a translation exists.
 */
@Injectable()
export class MessageTranslationService {
  constructor(
    private readonly workflows: WorkflowGateway,
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
      // The gateway's deadline bounds the wait: the message is already stored.
      await this.workflows.startTranslation({ districtId, subjectKind: 'message', subjectId: messageId });
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
