import { Global, Module } from '@nestjs/common';
import { Database } from '../../../../libs/db/database';
import { SessionRepository } from '../../../../libs/db/repositories/session.repository';
import { DatabaseConnection } from './database-connection';

/**
 * Services receive `Database` and reach tenant data only through `db.forDistrict(caller.districtId)`;
 * none of them sees the Prisma client.
 */
@Global()
@Module({
  providers: [
    DatabaseConnection,
    { provide: Database, inject: [DatabaseConnection], useFactory: (c: DatabaseConnection) => c.db },
    { provide: SessionRepository, inject: [Database], useFactory: (db: Database) => db.sessions },
  ],
  exports: [Database, SessionRepository],
})
export class DatabaseModule {}
