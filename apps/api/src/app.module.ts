import { type DynamicModule, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { FieldCipher } from '../../../libs/crypto/envelope';
import { AdminUserModule } from './admin-users/admin-user.module';
import { AttachmentModule } from './attachments/attachment.module';
import { AuthGuard } from './auth/auth.guard';
import { AuthModule } from './auth/auth.module';
import { CursorCodec } from './common/cursor';
import { GlobalExceptionFilter } from './common/global-exception.filter';
import { API_COMPOSITION, API_CONFIG, API_METRICS, BLOB_STORE, LOGGER } from './common/tokens';
import { type ApiComposition } from './composition';
import { DatabaseModule } from './database/database.module';
import { AuditModule } from './audit/audit.module';
import { HealthModule } from './health/health.module';
import { MeModule } from './me/me.module';
import { SectionModule } from './sections/section.module';
import { ConversationModule } from './conversations/conversation.module';
import { MessageModule } from './messages/message.module';
import { AnnouncementModule } from './announcements/announcement.module';
import { AdminReviewModule } from './admin-review/admin-review.module';
import { TemporalModule } from './temporal/temporal.module';
import { RosterImportModule } from './roster/roster-import.module';
import { QuotaModule } from './quotas/quota.module';
import { AlertModule } from './alerts/alert.module';

/** Closes the composition root's connections once every module has stopped. */
@Injectable()
class CompositionShutdown implements OnApplicationShutdown {
  constructor(@Inject(API_COMPOSITION) private readonly composition: ApiComposition) {}

  async onApplicationShutdown(): Promise<void> {
    await this.composition.close();
  }
}

@Module({})
export class AppModule {
  /** The API's modules over the values of its composition root (apps/api/src/composition.ts). */
  static forRoot(composition: ApiComposition): DynamicModule {
    const { config, logger } = composition;
    return {
      module: AppModule,
      global: true,
      imports: [
        DatabaseModule,
        QuotaModule,
        AlertModule,
        TemporalModule,
        HealthModule,
        SectionModule,
        ConversationModule,
        MessageModule,
        AnnouncementModule,
        AttachmentModule,
        AdminReviewModule,
        AuditModule,
        AuthModule,
        MeModule,
        AdminUserModule,
        RosterImportModule,
      ],
      providers: [
        { provide: API_COMPOSITION, useValue: composition },
        { provide: API_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: FieldCipher, useValue: composition.fieldCipher },
        { provide: BLOB_STORE, useValue: composition.blobStore },
        { provide: API_METRICS, useValue: composition.metrics },
        CompositionShutdown,
        CursorCodec,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useFactory: () => new GlobalExceptionFilter(logger) },
      ],
      exports: [API_COMPOSITION, API_CONFIG, API_METRICS, LOGGER, FieldCipher, BLOB_STORE, CursorCodec],
    };
  }
}
