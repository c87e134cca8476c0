import { Module } from '@nestjs/common';
import { RosterImportController } from './roster-import.controller';
import { RosterImportService } from './roster-import.service';
import { RosterSettingsController } from './roster-settings.controller';
import { RosterSettingsService } from './roster-settings.service';

/** Roster uploads and their status. Exports are sealed with the district data key into the blob store. */
@Module({
  controllers: [RosterImportController, RosterSettingsController],
  providers: [RosterImportService, RosterSettingsService],
})
export class RosterImportModule {}
