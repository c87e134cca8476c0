import { Global, Module } from '@nestjs/common';
import { AlertDeliveryStarter } from './alert-delivery.starter';

/** Webhook delivery of alerts, used by every context that raises one. */
@Global()
@Module({ providers: [AlertDeliveryStarter], exports: [AlertDeliveryStarter] })
export class AlertModule {}
