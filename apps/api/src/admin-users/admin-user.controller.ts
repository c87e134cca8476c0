import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiAuthenticated, ApiError, ApiUuidParam } from '../common/api-errors.decorator';
import { CurrentPrincipal } from '../auth/principal.decorator';
import { Roles } from '../auth/roles.decorator';
import { type Principal } from '../common/request-context';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import {
  AdminUserPageDto,
  DEFAULT_PAGE_SIZE,
  InvitationDto,
  ListUsersQueryDto,
  SuspendUserDto,
  toAdminUserDto,
  toInvitationDto,
} from './admin-user.dto';
import { AdminUserService } from './admin-user.service';
import { UserSuspensionService } from './user-suspension.service';
import { ApiQuotaResponse } from '../quotas/api-quota-response.decorator';

@ApiTags('admin')
@ApiAuthenticated()
@Roles('district_admin', 'school_admin')
@Controller('v1/admin/users')
export class AdminUserController {
  constructor(
    private readonly users: AdminUserService,
    private readonly suspensions: UserSuspensionService,
  ) {}

  @Get()
  @ApiOkResponse({ type: AdminUserPageDto, description: 'Ordered by id; school admins see their school.' })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListUsersQueryDto,
  ): Promise<AdminUserPageDto> {
    const page = await this.users.list(principal, {
      role: query.role,
      sourcedId: query.sourcedId,
      cursor: query.cursor,
      limit: query.limit ?? DEFAULT_PAGE_SIZE,
    });
    return { items: page.items.map(toAdminUserDto), nextCursor: page.nextCursor };
  }

  @Post(':userId/invitations')
  @HttpCode(HttpStatus.CREATED)
  @ApiCreatedResponse({
    type: InvitationDto,
    description: 'A single-use invitation that sets the first password; any older one stops working.',
  })
  @ApiUuidParam('userId', 'No such user in the caller’s district (or school).')
  @ApiQuotaResponse('invitation')
  @ApiError(403, 'A school admin inviting an administrator.')
  @ApiError(
    409,
    'ALREADY_ACTIVE: the account has a password (use password-reset); USER_INACTIVE; USER_HAS_NO_USERNAME.',
  )
  async invite(
    @CurrentPrincipal() principal: Principal,
    @Param('userId', UuidParamPipe) userId: string,
  ): Promise<InvitationDto> {
    return toInvitationDto(await this.users.invite(principal, userId));
  }

  @Post(':userId/password-reset')
  @HttpCode(HttpStatus.CREATED)
  @ApiCreatedResponse({
    type: InvitationDto,
    description:
      'A single-use token that sets a new password (accepted like an invitation); the user’s sessions end now and any older token stops working. Audited.',
  })
  @ApiUuidParam('userId', 'No such user in the caller’s district (or school).')
  @ApiError(403, 'A school admin resetting an administrator.')
  @ApiError(409, 'USER_INACTIVE; USER_HAS_NO_USERNAME.')
  async resetPassword(
    @CurrentPrincipal() principal: Principal,
    @Param('userId', UuidParamPipe) userId: string,
  ): Promise<InvitationDto> {
    return toInvitationDto(await this.users.resetPassword(principal, userId));
  }

  @Post(':userId/suspend')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({
    description: 'Every session of the user ended; sign-in answers 403 ACCOUNT_SUSPENDED.',
  })
  @ApiError(403, 'Your own account, or an administrator when you are a school admin.')
  @ApiUuidParam('userId', 'No such user in the caller’s district (or school).')
  @ApiError(409, 'ALREADY_SUSPENDED.')
  suspend(
    @CurrentPrincipal() principal: Principal,
    @Param('userId', UuidParamPipe) userId: string,
    @Body() body: SuspendUserDto,
  ): Promise<void> {
    return this.suspensions.suspend(principal, userId, body.reason);
  }

  @Post(':userId/reinstate')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'The user may sign in again (their old sessions stay ended).' })
  @ApiError(403, 'An administrator, when you are a school admin.')
  @ApiUuidParam('userId', 'No such user in the caller’s district (or school).')
  @ApiError(409, 'NOT_SUSPENDED.')
  reinstate(
    @CurrentPrincipal() principal: Principal,
    @Param('userId', UuidParamPipe) userId: string,
  ): Promise<void> {
    return this.suspensions.reinstate(principal, userId);
  }
}
