import { Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/principal.decorator';
import { Roles } from '../auth/roles.decorator';
import { ApiAuthenticated, ApiUuidParam, ApiWrite } from '../common/api-errors.decorator';
import { type Principal } from '../common/request-context';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import {
  AdminUserPageDto,
  DEFAULT_PAGE_SIZE,
  InvitationDto,
  ListUsersQueryDto,
  toAdminUserDto,
} from './admin-user.dto';
import { AdminUserService } from './admin-user.service';

@ApiTags('admin')
@ApiAuthenticated()
@Roles('district_admin', 'school_admin')
@Controller('v1/admin/users')
export class AdminUserController {
  constructor(private readonly users: AdminUserService) {}

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
  @ApiWrite()
  @HttpCode(HttpStatus.CREATED)
  @ApiCreatedResponse({
    type: InvitationDto,
    description: 'A single-use invitation; it resets the password.',
  })
  @ApiUuidParam('userId', 'No such user in the caller’s district (or school).')
  async invite(
    @CurrentPrincipal() principal: Principal,
    @Param('userId', UuidParamPipe) userId: string,
  ): Promise<InvitationDto> {
    const invitation = await this.users.invite(principal, userId);
    return { token: invitation.token, expiresAt: invitation.expiresAt.toISOString() };
  }
}
