import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { SUPPORTED_LANGUAGES } from '../../../../libs/domain/translation/languages';

export class ProfileDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) districtId!: string;
  @ApiProperty({ enum: ['student', 'teacher', 'guardian', 'school_admin', 'district_admin'] }) role!: string;
  @ApiProperty() givenName!: string;
  @ApiProperty() familyName!: string;
  @ApiProperty({ enum: SUPPORTED_LANGUAGES }) preferredLanguage!: string;
}

export class UpdateProfileDto {
  @ApiProperty({ enum: SUPPORTED_LANGUAGES, description: 'A language the translation provider supports.' })
  @IsIn(SUPPORTED_LANGUAGES, {
    message: 'preferredLanguage must be a supported language code, e.g. en, es, zh-TW',
  })
  preferredLanguage!: string;
}

export function toProfileDto(user: ProfileDto): ProfileDto {
  return {
    id: user.id,
    districtId: user.districtId,
    role: user.role,
    givenName: user.givenName,
    familyName: user.familyName,
    preferredLanguage: user.preferredLanguage,
  };
}
