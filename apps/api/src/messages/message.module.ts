import { Module } from '@nestjs/common';
import { type ApiConfig } from '../../../../libs/config/config';
import { FieldCipher } from '../../../../libs/crypto/envelope';
import { Database } from '../../../../libs/db/database';
import { BodyCipher, createFieldCipher } from '../../../../libs/messaging/body-cipher';
import { TranslationReader } from '../../../../libs/translation/translation-reader';
import { API_CONFIG } from '../common/tokens';
import { ConversationAccessService } from './conversation-access.service';
import { MessageController } from './message.controller';
import { MessageService } from './message.service';
import { MessageTranslationService } from './message-translation.service';

/**
 * Messages and what every messaging context shares: one field cipher per process (so bodies and
 * translations share its data-key cache), the body cipher over it, translations, and the conversation
 * access check.
 */
@Module({
  controllers: [MessageController],
  providers: [
    {
      provide: FieldCipher,
      inject: [Database, API_CONFIG],
      useFactory: (db: Database, config: ApiConfig) => createFieldCipher(db.dataKeys, config),
    },
    {
      provide: BodyCipher,
      inject: [FieldCipher],
      useFactory: (cipher: FieldCipher) => new BodyCipher(cipher),
    },
    {
      provide: TranslationReader,
      inject: [Database, FieldCipher],
      useFactory: (db: Database, cipher: FieldCipher) => new TranslationReader({ db, cipher }),
    },
    ConversationAccessService,
    MessageService,
    MessageTranslationService,
  ],
  exports: [BodyCipher, ConversationAccessService, MessageService, MessageTranslationService],
})
export class MessageModule {}
