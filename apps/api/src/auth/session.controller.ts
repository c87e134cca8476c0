import { Controller, Delete, Get, HttpCode, HttpStatus, Param } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ApiAuthenticated, ApiUuidParam } from '../common/api-errors.decorator';
import { type Principal } from '../common/request-context';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { CurrentPrincipal } from './principal.decorator';
import { SessionService } from './session.service';

class SessionDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'To within five minutes.' })
  lastSeenAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) userAgent!: string | null;
  @ApiProperty({ description: 'The session this request was made with.' }) current!: boolean;
}

class SessionListDto {
  @ApiProperty({ type: [SessionDto] }) items!: SessionDto[];
}

/** A person's own sessions: see where they are signed in, and end any of them. */
@ApiTags('auth')
@ApiAuthenticated()
@Controller('v1/auth/sessions')
export class SessionController {
  constructor(private readonly sessions: SessionService) {}

  @Get()
  @ApiOkResponse({ type: SessionListDto, description: 'Live sessions, newest first.' })
  async list(@CurrentPrincipal() principal: Principal): Promise<SessionListDto> {
    const items = await this.sessions.list(principal);
    return {
      items: items.map((s) => ({
        id: s.id,
        createdAt: s.createdAt.toISOString(),
        lastSeenAt: s.lastSeenAt?.toISOString() ?? null,
        userAgent: s.userAgent,
        current: s.id === principal.sessionId,
      })),
    };
  }

  @Delete(':sessionId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'That session no longer works (the current one included).' })
  @ApiUuidParam('sessionId', 'No live session of yours with this id.')
  revoke(
    @CurrentPrincipal() principal: Principal,
    @Param('sessionId', UuidParamPipe) sessionId: string,
  ): Promise<void> {
    return this.sessions.revoke(principal, sessionId);
  }
}
