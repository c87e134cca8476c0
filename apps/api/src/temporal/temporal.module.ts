import { Global, Module } from '@nestjs/common';
import { WorkflowGateway } from '../../../../libs/adapters/temporal/workflow-gateway';
import { API_COMPOSITION } from '../common/tokens';
import { type ApiComposition } from '../composition';
import { TemporalClientService } from './temporal-client.service';

/** The composition root's Temporal connection and workflow gateway, for injection. */
@Global()
@Module({
  providers: [
    {
      provide: TemporalClientService,
      inject: [API_COMPOSITION],
      useFactory: (composition: ApiComposition) => composition.temporal,
    },
    {
      provide: WorkflowGateway,
      inject: [API_COMPOSITION],
      useFactory: (composition: ApiComposition) => composition.workflows,
    },
  ],
  exports: [TemporalClientService, WorkflowGateway],
})
export class TemporalModule {}
