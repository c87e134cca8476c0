import { Module } from '@nestjs/common';
import { type ApiConfig } from '../../../../libs/config/config';
import { FieldCipher } from '../../../../libs/crypto/envelope';
import { LocalKeyWrapper } from '../../../../libs/crypto/key-wrapper';
import { parseMasterKeyRing } from '../../../../libs/crypto/master-key-ring';
import { Database } from '../../../../libs/db/database';
import { createBlobStore } from '../../../../libs/adapters/storage/blob-store.factory';
import { API_CONFIG } from '../common/tokens';
import { RosterImportController } from './roster-import.controller';
import { RosterImportService } from './roster-import.service';
import { RosterSettingsController } from './roster-settings.controller';
import { RosterSettingsService } from './roster-settings.service';
import { ROSTER_BLOB_KEYS, ROSTER_BLOB_STORE } from './roster-import.tokens';

/** Roster uploads and their status. Exports are sealed with the district data key into the blob store. */
@Module({
  controllers: [RosterImportController, RosterSettingsController],
  providers: [
    {
      provide: ROSTER_BLOB_STORE,
      inject: [API_CONFIG],
      useFactory: (config: ApiConfig) => createBlobStore(config),
    },
    {
      provide: ROSTER_BLOB_KEYS,
      inject: [Database, API_CONFIG],
      useFactory: (db: Database, config: ApiConfig) =>
        new FieldCipher(db.dataKeys, new LocalKeyWrapper(parseMasterKeyRing(config))),
    },
    RosterImportService,
    RosterSettingsService,
  ],
})
export class RosterImportModule {}
