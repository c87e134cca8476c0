import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';
import { SingleLine } from '../common/single-line.validator';

const CODE = /^[A-Za-z0-9_-]{20,200}$/;

export class OidcStartQueryDto {
  @ApiProperty({
    maxLength: 2000,
    description:
      'Where the browser returns with `code` or `error`: exactly one of the URIs the district registered.',
  })
  @IsString()
  @SingleLine()
  @MaxLength(2000)
  redirectUri!: string;
}

export class OidcExchangeDto {
  @ApiProperty({ pattern: CODE.source, description: 'The one-time `code` the redirect carried.' })
  @Matches(CODE, { message: 'code is not a sign-in code' })
  code!: string;
}

export class OidcExchangeResponseDto {
  @ApiProperty({ description: 'Send as `Authorization: Bearer <accessToken>`.' }) accessToken!: string;
  @ApiProperty({ description: 'Seconds until the token expires.' }) expiresIn!: number;
}
