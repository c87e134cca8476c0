import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { type ApiConfig } from '../../../libs/config/config';
import { type Logger } from '../../../libs/logging/logger';
import { AdminUserModule } from './admin-users/admin-user.module';
import { AttachmentModule } from './attachments/attachment.module';
import { AuthGuard } from './auth/auth.guard';
import { AuthModule } from './auth/auth.module';
import { CursorCodec } from './common/cursor';
import { GlobalExceptionFilter } from './common/global-exception.filter';
import { API_CONFIG, LOGGER } from './common/tokens';
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

@Module({})
export class AppModule {
  static forRoot(config: ApiConfig, logger: Logger): DynamicModule {
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
        { provide: API_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        CursorCodec,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useFactory: () => new GlobalExceptionFilter(logger) },
      ],
      exports: [API_CONFIG, LOGGER, CursorCodec],
    };
  }
}
