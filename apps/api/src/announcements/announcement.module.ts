import { Module } from '@nestjs/common';
import { MessageModule } from '../messages/message.module';
import { AnnouncementAnomalyService } from './announcement-anomaly.service';
import { AdminAnnouncementController } from './admin-announcement.controller';
import { AnnouncementController } from './announcement.controller';
import { AnnouncementFanOutStarter } from './announcement-fan-out.starter';
import { AnnouncementRetractionService } from './announcement-retraction.service';
import { AnnouncementService } from './announcement.service';

@Module({
  imports: [MessageModule],
  controllers: [AnnouncementController, AdminAnnouncementController],
  providers: [
    AnnouncementService,
    AnnouncementFanOutStarter,
    AnnouncementRetractionService,
    AnnouncementAnomalyService,
  ],
})
export class AnnouncementModule {}
