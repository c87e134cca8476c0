import { Module } from '@nestjs/common';
import { type ApiConfig } from '../../../../libs/config/config';
import { Database } from '../../../../libs/db/database';
import { BodyCipher, createBodyCipher } from '../../../../libs/messaging/body-cipher';
import { API_CONFIG } from '../common/tokens';
import { ConversationAccessService } from './conversation-access.service';
import { MessageController } from './message.controller';
import { MessageService } from './message.service';

/**
 * Messages and what every messaging context shares: the body cipher (one per process, so its data-key
 * cache is shared) and the conversation access check.
 */
@Module({
  controllers: [MessageController],
  providers: [
    {
      provide: BodyCipher,
      inject: [Database, API_CONFIG],
      useFactory: (db: Database, config: ApiConfig) => createBodyCipher(db.dataKeys, config),
    },
    ConversationAccessService,
    MessageService,
  ],
  exports: [BodyCipher, ConversationAccessService, MessageService],
})
export class MessageModule {}
