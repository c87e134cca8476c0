import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { type ApiConfig } from '../../../../libs/config/config';
import { Database } from '../../../../libs/db/database';
import { API_CONFIG } from '../common/tokens';

/** Opens the API process's one Database (one connection pool) and closes it at shutdown. */
@Injectable()
export class DatabaseConnection implements OnModuleDestroy {
  readonly db: Database;

  constructor(@Inject(API_CONFIG) config: ApiConfig) {
    this.db = Database.open(config.DATABASE_URL, {
      poolSize: config.DATABASE_POOL_SIZE,
      connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.db.disconnect();
  }
}
