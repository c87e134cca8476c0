import { Module } from '@nestjs/common';
import { EventLoopMonitor } from '../ops/event-loop-monitor';
import { OperatorEndpoint } from '../ops/operator-endpoint';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';

@Module({
  controllers: [HealthController],
  providers: [HealthService, EventLoopMonitor, OperatorEndpoint],
  exports: [EventLoopMonitor, OperatorEndpoint],
})
export class HealthModule {}
