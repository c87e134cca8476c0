import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { type RosterImportSource, type RosterImportStatus } from '../../../../libs/db/types';
import {
  MAX_STORED_ERRORS,
  ROSTER_IMPORT_COUNT_KEYS,
  type RosterImportCounts,
  type RosterImportPhase,
} from '../../../../libs/roster-import';

export class RosterImportStartedDto {
  @ApiProperty({ format: 'uuid' }) importId!: string;
  @ApiProperty({ example: 'roster-<districtId>-<importId>' }) workflowId!: string;
}

export class RosterImportCountsDto implements RosterImportCounts {
  @ApiProperty() usersCreated!: number;
  @ApiProperty() usersUpdated!: number;
  @ApiProperty({ description: 'Deactivated: missing from a bulk export, or deleted by a delta.' })
  usersRemoved!: number;
  @ApiProperty() sectionsCreated!: number;
  @ApiProperty() enrollmentsAdded!: number;
  @ApiProperty() enrollmentsRemoved!: number;
  @ApiProperty() guardianLinksAdded!: number;
  @ApiProperty() guardianLinksRemoved!: number;
  @ApiProperty() schoolsCreated!: number;
  @ApiProperty() schoolsUpdated!: number;
  @ApiProperty() schoolsRemoved!: number;
  @ApiProperty() sectionsUpdated!: number;
  @ApiProperty() sectionsRemoved!: number;
  @ApiProperty() enrollmentsUpdated!: number;
}

export class RosterFileErrorDto {
  @ApiProperty({ example: 'users.csv', description: 'The CSV inside the zip, or (zip archive) / (import).' })
  file!: string;
  @ApiProperty({ description: '1-based line (the header is line 1); 0 means the file as a whole.' })
  line!: number;
  @ApiProperty() message!: string;
}

export class RosterImportProgressDto {
  @ApiProperty({
    enum: [
      'validate',
      'schools',
      'sections',
      'users',
      'memberships',
      'guardianLinks',
      'removals',
      'finish',
      'done',
    ],
  })
  phase!: RosterImportPhase;
  @ApiProperty({ type: RosterImportCountsDto, description: 'As of the last finished phase.' })
  counts!: RosterImportCountsDto;
}

export class RosterImportDto {
  @ApiProperty({ format: 'uuid' }) importId!: string;
  @ApiProperty({
    enum: ['running', 'held', 'succeeded', 'failed', 'discarded'],
    description:
      'held: a mass change waiting for confirm or discard; discarded: by an admin or a newer export.',
  })
  status!: RosterImportStatus;
  @ApiProperty({ enum: ['upload', 'schedule', 'cli'] }) source!: RosterImportSource;
  @ApiProperty({
    type: RosterImportCountsDto,
    description: 'What the import changed so far; exact after a retry.',
  })
  counts!: RosterImportCountsDto;
  @ApiProperty({
    type: [RosterFileErrorDto],
    description: `At most ${MAX_STORED_ERRORS} errors; see errorCount.`,
  })
  errors!: RosterFileErrorDto[];
  @ApiProperty({ description: 'All errors found, including those beyond the list.' }) errorCount!: number;
  @ApiProperty({
    type: [RosterFileErrorDto],
    description: `Rows skipped (and tolerances used) while the rest applied; at most ${MAX_STORED_ERRORS}, see warningCount.`,
  })
  warnings!: RosterFileErrorDto[];
  @ApiProperty({ description: 'All warnings, including those beyond the list.' }) warningCount!: number;
  @ApiPropertyOptional({
    type: RosterImportCountsDto,
    description: 'While held: what the import would change if confirmed now.',
  })
  pending?: RosterImportCountsDto;
  @ApiProperty({ nullable: true, type: String }) workflowId!: string | null;
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) finishedAt!: string | null;
  @ApiPropertyOptional({ type: RosterImportProgressDto, description: 'While running, from the workflow.' })
  progress?: RosterImportProgressDto;
}

/** Every counter, in the contract's order, and nothing else. */
export function toCountsDto(counts: RosterImportCounts): RosterImportCountsDto {
  const dto = {} as RosterImportCountsDto;
  for (const key of ROSTER_IMPORT_COUNT_KEYS) dto[key] = counts[key];
  return dto;
}
