import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ApiAuthenticated, ApiError } from '../common/api-errors.decorator';
import { IsString, Length } from 'class-validator';
import { type Principal } from '../common/request-context';
import { SingleLine } from '../common/single-line.validator';
import { AccountSecurityService } from './account-security.service';
import { PASSWORD_INPUT_MAX } from './auth.dto';
import { CurrentPrincipal } from './principal.decorator';

export class ChangePasswordDto {
  @ApiProperty({ format: 'password' })
  @IsString()
  @SingleLine()
  @Length(1, PASSWORD_INPUT_MAX)
  currentPassword!: string;

  @ApiProperty({ format: 'password', minLength: 12, maxLength: 128 })
  @IsString()
  @SingleLine()
  @Length(1, PASSWORD_INPUT_MAX)
  newPassword!: string;
}

export class PasswordConfirmationDto {
  @ApiProperty({ format: 'password', description: 'The account’s current password, asked again.' })
  @IsString()
  @SingleLine()
  @Length(1, PASSWORD_INPUT_MAX)
  password!: string;
}

class RecoveryCodesDto {
  @ApiProperty({
    type: [String],
    description: 'Shown once. Each works once in place of an authenticator code at sign-in.',
  })
  codes!: string[];
}

const REAUTH_REFUSED = 'INVALID_PASSWORD: the current password is wrong.';
const REAUTH_LIMITED = 'RATE_LIMITED: too many wrong passwords, with Retry-After.';

@ApiTags('auth')
@ApiAuthenticated()
@Controller('v1/auth')
export class AccountSecurityController {
  constructor(private readonly account: AccountSecurityService) {}

  @Post('password')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Changed; every other session of the account has ended.' })
  @ApiError(400, 'The new password breaks the policy.')
  @ApiError(403, REAUTH_REFUSED)
  @ApiError(429, REAUTH_LIMITED)
  changePassword(@CurrentPrincipal() principal: Principal, @Body() body: ChangePasswordDto): Promise<void> {
    return this.account.changePassword(principal, body.currentPassword, body.newPassword);
  }

  @Post('recovery-codes')
  @HttpCode(HttpStatus.CREATED)
  @ApiCreatedResponse({
    type: RecoveryCodesDto,
    description: 'A new set; the unused codes of the old one stop working.',
  })
  @ApiError(403, REAUTH_REFUSED)
  @ApiError(409, 'TOTP_NOT_ENABLED: the account has no authenticator to stand in for.')
  @ApiError(429, REAUTH_LIMITED)
  async recoveryCodes(
    @CurrentPrincipal() principal: Principal,
    @Body() body: PasswordConfirmationDto,
  ): Promise<RecoveryCodesDto> {
    return { codes: await this.account.newRecoveryCodes(principal, body.password) };
  }
}
