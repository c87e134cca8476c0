import { Global, Module } from '@nestjs/common';
import { Database } from '../../../../libs/db/database';
import { SessionRepository } from '../../../../libs/db/repositories/session.repository';
import { PrismaService } from './prisma.service';

/**
 * Services receive `Database` and reach tenant data only through `db.forDistrict(caller.districtId)`;
 * none of them sees the Prisma client.
 */
@Global()
@Module({
  providers: [
    PrismaService,
    { provide: Database, inject: [PrismaService], useFactory: (p: PrismaService) => new Database(p.client) },
    { provide: SessionRepository, inject: [Database], useFactory: (db: Database) => db.sessions },
  ],
  exports: [PrismaService, Database, SessionRepository],
})
export class DatabaseModule {}
