import { Module } from '@nestjs/common';
import { FieldCipher } from '../../../../libs/crypto/envelope';
import { Database } from '../../../../libs/db/database';
import { BodyCipher } from '../../../../libs/messaging/body-cipher';
import { TranslationReader } from '../../../../libs/translation/translation-reader';
import { ConversationAccessService } from './conversation-access.service';
import { MessageController } from './message.controller';
import { MessageService } from './message.service';
import { MessageTranslationService } from './message-translation.service';

/**
 * Messages and what every messaging context shares: the body cipher over the process's field cipher
 * (so bodies and translations share its data-key cache), translations, and the conversation access
 * check.
 */
@Module({
  controllers: [MessageController],
  providers: [
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
