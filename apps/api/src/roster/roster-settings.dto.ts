import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { Equals, IsDefined, IsInt, IsObject, Max, Min, ValidateNested } from 'class-validator';

/** Where the roster comes from. CSV exports (upload, command line, drop folder) are the only kind yet. */
export class RosterSourceDto {
  @ApiProperty({ enum: ['csv'] })
  @Equals('csv')
  kind!: 'csv';
}

export class RosterSettingsDto {
  @ApiProperty({
    minimum: 1,
    maximum: 100,
    description:
      'An import that would remove more than this share (percent) of active roster users or of enrollments, or deactivate a school, is held for confirmation.',
  })
  @IsInt()
  @Min(1)
  @Max(100)
  massChangeThresholdPercent!: number;

  @ApiProperty({ type: RosterSourceDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => RosterSourceDto)
  source!: RosterSourceDto;
}
