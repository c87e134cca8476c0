import { Module } from '@nestjs/common';
import { MessageModule } from '../messages/message.module';
import { AnnouncementController } from './announcement.controller';
import { AnnouncementFanOutStarter } from './announcement-fan-out.starter';
import { AnnouncementService } from './announcement.service';

@Module({
  imports: [MessageModule],
  controllers: [AnnouncementController],
  providers: [AnnouncementService, AnnouncementFanOutStarter],
})
export class AnnouncementModule {}
