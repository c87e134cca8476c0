import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { SingleLine } from '../common/single-line.validator';
import { type UserRole } from '../../../../libs/db/types';

const ROLES: readonly UserRole[] = ['student', 'teacher', 'guardian', 'school_admin', 'district_admin'];
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 50;

export class ListUsersQueryDto {
  @ApiPropertyOptional({ description: 'The OneRoster sourcedId, exact match.' })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  sourcedId?: string;

  @ApiPropertyOptional({ enum: ROLES })
  @IsOptional()
  @IsIn(ROLES)
  role?: UserRole;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page.' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;
}

export class AdminUserDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ROLES }) role!: UserRole;
  @ApiProperty({ nullable: true, type: String }) sourcedId!: string | null;
  @ApiProperty({ nullable: true, type: String }) username!: string | null;
  @ApiProperty() givenName!: string;
  @ApiProperty() familyName!: string;
  @ApiProperty() active!: boolean;
  @ApiProperty({ description: 'Suspended by an admin: no session works and sign-in is refused.' })
  suspended!: boolean;
}

export class AdminUserPageDto {
  @ApiProperty({ type: [AdminUserDto] }) items!: AdminUserDto[];
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Pass as cursor for the next page; null at the end.',
  })
  nextCursor!: string | null;
}

export class InvitationDto {
  @ApiProperty({ description: 'Shown once: hand it to the person; only its hash is stored.' }) token!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
}

export function toInvitationDto(invitation: { token: string; expiresAt: Date }): InvitationDto {
  return { token: invitation.token, expiresAt: invitation.expiresAt.toISOString() };
}

export function toAdminUserDto(
  user: Omit<AdminUserDto, 'suspended'> & { suspendedAt: Date | null },
): AdminUserDto {
  return {
    id: user.id,
    role: user.role,
    sourcedId: user.sourcedId,
    username: user.username,
    givenName: user.givenName,
    familyName: user.familyName,
    active: user.active,
    suspended: user.suspendedAt !== null,
  };
}

export class SuspendUserDto {
  @ApiProperty({
    minLength: 1,
    maxLength: 500,
    description: 'Why, for the audit log and the other admins (no student details).',
  })
  @IsString()
  @SingleLine()
  @Length(1, 500)
  reason!: string;
}
