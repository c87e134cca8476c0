import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsIn,
  IsInt,
  IsObject,
  IsString,
  Length,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { SingleLine } from '../common/single-line.validator';

const SOURCE_KINDS = ['csv', 'oneroster-api'] as const;
/**
 * The REST fields are required for `oneroster-api` and checked whenever present (so `null` is refused);
 * with `csv` they are not read.
 */
const apiField = (source: RosterSourceDto, value: unknown) =>
  source.kind === 'oneroster-api' || value !== undefined;

/**
 * Where the roster comes from: CSV exports (upload, command line, drop folder), or a OneRoster 1.1
 * REST API the worker pages through on a schedule. For the API only the *name* of the client secret is
 * given (`env:ROSTER_API_SECRET_<NAME>` or `file:<name>`), never the secret; the URL and schedule rules
 * are libs/oneroster-api/settings.ts's.
 */
export class RosterSourceDto {
  @ApiProperty({ enum: SOURCE_KINDS })
  @IsIn(SOURCE_KINDS)
  kind!: (typeof SOURCE_KINDS)[number];

  @ApiPropertyOptional({
    description: 'oneroster-api: the base URL (https), e.g. https://sis.example.org/ims/oneroster/v1p1',
  })
  @ValidateIf(apiField)
  @IsString()
  @SingleLine()
  @Length(1, 2048)
  baseUrl?: string;

  @ApiPropertyOptional({ description: 'oneroster-api: the OAuth 2.0 token URL (client credentials, https).' })
  @ValidateIf(apiField)
  @IsString()
  @SingleLine()
  @Length(1, 2048)
  tokenUrl?: string;

  @ApiPropertyOptional({ description: 'oneroster-api: the OAuth 2.0 client id.' })
  @ValidateIf(apiField)
  @IsString()
  @SingleLine()
  @Length(1, 256)
  clientId?: string;

  @ApiPropertyOptional({
    description:
      'oneroster-api: where the worker finds the secret: env:ROSTER_API_SECRET_<NAME> or file:<name>.',
  })
  @ValidateIf(apiField)
  @IsString()
  @SingleLine()
  @Length(1, 256)
  secretRef?: string;

  @ApiPropertyOptional({
    description: 'oneroster-api: cron schedule of the imports (5 fields); 0 2 * * * by default.',
  })
  @ValidateIf((_source: RosterSourceDto, value: unknown) => value !== undefined)
  @IsString()
  @SingleLine()
  @Length(1, 128)
  schedule?: string;
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
