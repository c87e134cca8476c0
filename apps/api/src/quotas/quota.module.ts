import { Global, Module } from '@nestjs/common';
import { QuotaService } from './quota.service';

/** Write quotas, used by every module whose routes write on a user's behalf. */
@Global()
@Module({
  providers: [QuotaService],
  exports: [QuotaService],
})
export class QuotaModule {}
