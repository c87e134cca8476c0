import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, IsUUID, Length, Matches, MaxLength } from 'class-validator';
import {
  canonicalDistrictId,
  canonicalUsername,
} from '../../../../libs/domain/identity/canonical-identifiers';
import { SingleLine } from '../common/single-line.validator';

/** Upper bounds against abuse only; the password policy itself is checked where the username is known. */
export const PASSWORD_INPUT_MAX = 1024;
const DEVICE_TOKEN_MAX = 512;
const TOKEN = /^[A-Za-z0-9_-]{20,200}$/;
const CODE = /^\d{6}$/;
/** Loose on purpose (case, dashes, spaces): canonicalRecoveryCode decides. */
const RECOVERY_CODE = /^[A-Za-z2-7 -]{16,24}$/;

/** Canonicalises strings and leaves anything else to the type checks that follow. */
const canonical = (canonicalise: (value: string) => string) =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? canonicalise(value) : value));

export class LoginDto {
  @ApiProperty({ format: 'uuid', description: 'Any letter case; surrounding whitespace is ignored.' })
  @canonical(canonicalDistrictId)
  @IsUUID()
  districtId!: string;

  @ApiProperty({
    minLength: 1,
    maxLength: 200,
    description:
      'Compared in Unicode NFC without surrounding whitespace; letter case counts. No control characters.',
  })
  @canonical(canonicalUsername)
  @IsString()
  @SingleLine()
  @Length(1, 200)
  username!: string;

  @ApiProperty({ format: 'password', description: 'No control characters.' })
  @IsString()
  @SingleLine()
  @Length(1, PASSWORD_INPUT_MAX)
  password!: string;

  @ApiPropertyOptional({ pattern: CODE.source, description: 'The current code of the authenticator app.' })
  @IsOptional()
  @Matches(CODE, { message: 'totp must be 6 digits' })
  totp?: string;

  @ApiPropertyOptional({
    pattern: RECOVERY_CODE.source,
    description:
      'Instead of `totp` when the authenticator is lost: one of the account’s recovery codes, used up by ' +
      'this sign-in (dashes and letter case do not matter).',
  })
  @IsOptional()
  @Matches(RECOVERY_CODE, { message: 'recoveryCode must be a recovery code such as ABCD-EFGH-JKLM-NPQR' })
  recoveryCode?: string;

  @ApiPropertyOptional({
    maxLength: DEVICE_TOKEN_MAX,
    description:
      'For apps that keep no cookies: the `deviceToken` of an earlier sign-in to this account. Browsers ' +
      'send the `homeroom_device` cookie instead. Attempts with a valid one are counted apart from ' +
      'everybody else’s, so others failing at this account do not lock this device out. An invalid, ' +
      'expired or foreign token counts as none.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(DEVICE_TOKEN_MAX)
  deviceToken?: string;
}

export class LoginResponseDto {
  @ApiProperty({ description: 'Send as `Authorization: Bearer <accessToken>`.' }) accessToken!: string;
  @ApiProperty({ description: 'Seconds until the token expires.' }) expiresIn!: number;
  @ApiProperty({
    description:
      'Keep it and send it back as `deviceToken` with later sign-ins to this account (also set as the ' +
      'HttpOnly `homeroom_device` cookie for browsers). A new one comes with every sign-in.',
  })
  deviceToken!: string;
}

export class AcceptInvitationDto {
  @ApiProperty({ pattern: TOKEN.source, description: 'The token from the invitation.' })
  @Matches(TOKEN, { message: 'token is not an invitation token' })
  token!: string;

  @ApiProperty({ format: 'password', minLength: 12, maxLength: 128 })
  @IsString()
  @SingleLine()
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
