import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Length, Matches, MaxLength } from 'class-validator';

/** Upper bounds against abuse only; the password policy itself is checked where the username is known. */
const PASSWORD_INPUT_MAX = 1024;
const TOKEN = /^[A-Za-z0-9_-]{20,200}$/;
const CODE = /^\d{6}$/;

export class LoginDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  districtId!: string;

  @ApiProperty({ minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  username!: string;

  @ApiProperty({ format: 'password' })
  @IsString()
  @Length(1, PASSWORD_INPUT_MAX)
  password!: string;

  @ApiPropertyOptional({ pattern: CODE.source, description: 'The current code of the authenticator app.' })
  @IsOptional()
  @Matches(CODE, { message: 'totp must be 6 digits' })
  totp?: string;
}

export class LoginResponseDto {
  @ApiProperty({ description: 'Send as `Authorization: Bearer <accessToken>`.' }) accessToken!: string;
  @ApiProperty({ description: 'Seconds until the token expires.' }) expiresIn!: number;
}

export class AcceptInvitationDto {
  @ApiProperty({ pattern: TOKEN.source, description: 'The token from the invitation.' })
  @Matches(TOKEN, { message: 'token is not an invitation token' })
  token!: string;

  @ApiProperty({ format: 'password', minLength: 12, maxLength: 128 })
  @IsString()
  @MaxLength(PASSWORD_INPUT_MAX)
  password!: string;
}

export class AcceptInvitationResponseDto {
  @ApiPropertyOptional({
    description: 'For admin roles: the TOTP enrolment URL to scan; every later sign-in needs a code.',
  })
  otpauthUrl?: string;
}

export class TotpEnrolmentDto {
  @ApiProperty({ description: 'otpauth:// URL for the authenticator app; pending until verified.' })
  otpauthUrl!: string;
}

export class VerifyTotpDto {
  @ApiProperty({ pattern: CODE.source })
  @Matches(CODE, { message: 'code must be 6 digits' })
  code!: string;
}
