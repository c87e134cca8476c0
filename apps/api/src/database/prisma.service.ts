import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { type ApiConfig } from '../../../../libs/config/config';
import { createPrismaClient, type HomeroomPrismaClient } from '../../../../libs/db/prisma';
import { API_CONFIG } from '../common/tokens';

/** Owns the one Prisma client of the API process; repositories receive it, services never do. */
@Injectable()
export class PrismaService implements OnModuleDestroy {
  readonly client: HomeroomPrismaClient;

  constructor(@Inject(API_CONFIG) config: ApiConfig) {
    this.client = createPrismaClient(config.DATABASE_URL, {
      poolSize: config.DATABASE_POOL_SIZE,
      connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.client.$disconnect();
  }
}
