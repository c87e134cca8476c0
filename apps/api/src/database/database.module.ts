import { Global, Module } from '@nestjs/common';
import { Database } from '../../../../libs/db/database';
import { SessionRepository } from '../../../../libs/db/repositories/session.repository';
import { API_COMPOSITION } from '../common/tokens';
import { type ApiComposition } from '../composition';
import { PrismaService } from './prisma.service';

/**
 * Services receive `Database` and reach tenant data only through `db.forDistrict(caller.districtId)`;
 * none of them sees the Prisma client. Both are the composition root's.
 */
@Global()
@Module({
  providers: [
    {
      provide: PrismaService,
      inject: [API_COMPOSITION],
      useFactory: (composition: ApiComposition) => new PrismaService(composition.prisma),
    },
    {
      provide: Database,
      inject: [API_COMPOSITION],
      useFactory: (composition: ApiComposition) => composition.db,
    },
    { provide: SessionRepository, inject: [Database], useFactory: (db: Database) => db.sessions },
  ],
  exports: [PrismaService, Database, SessionRepository],
})
export class DatabaseModule {}
