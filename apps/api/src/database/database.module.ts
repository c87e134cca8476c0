import { Global, Module } from '@nestjs/common';
import { Database } from '../../../../libs/db/database';
import { SessionRepository } from '../../../../libs/db/repositories/session.repository';
import { API_COMPOSITION } from '../common/tokens';
import { type ApiComposition } from '../composition';

/**
 * Services receive `Database` and reach tenant data only through `db.forDistrict(caller.districtId)`;
 * none of them sees the Prisma client, which is private to libs/db. The database is the composition root's.
 */
@Global()
@Module({
  providers: [
    {
      provide: Database,
      inject: [API_COMPOSITION],
      useFactory: (composition: ApiComposition) => composition.db,
    },
    { provide: SessionRepository, inject: [Database], useFactory: (db: Database) => db.sessions },
  ],
  exports: [Database, SessionRepository],
})
export class DatabaseModule {}
