import { Module } from '@nestjs/common';
import { MessageModule } from '../messages/message.module';
import { AdminReviewController } from './admin-review.controller';
import { AdminReviewService } from './admin-review.service';

@Module({ imports: [MessageModule], controllers: [AdminReviewController], providers: [AdminReviewService] })
export class AdminReviewModule {}
