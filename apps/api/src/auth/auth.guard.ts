import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { UnauthenticatedError } from '../../../../libs/domain/errors/domain-errors';
import { SessionRepository } from '../../../../libs/db/repositories/session.repository';
import { hashToken } from '../../../../libs/crypto/hashing';
import { type HomeroomRequest } from '../common/request-context';
import { IS_PUBLIC } from './public.decorator';

const BEARER = /^Bearer ([A-Za-z0-9_-]{20,200})$/;

/**
 * Deny by default: every route needs a live session unless it is marked @Public(). The token is looked
 * up by its hash, so a database leak does not leak usable tokens; a deactivated user's sessions stop
 * working at once because the user's `active` flag is checked on every request.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(SessionRepository) private readonly sessions: SessionRepository,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;

    const req = context.switchToHttp().getRequest<HomeroomRequest>();
    const match = BEARER.exec(req.header('authorization') ?? '');
    if (!match?.[1]) throw new UnauthenticatedError();

    const session = await this.sessions.findLiveByTokenHash(hashToken(match[1]), new Date());
    if (!session) throw new UnauthenticatedError();
    req.principal = {
      userId: session.userId,
      districtId: session.districtId,
      role: session.role,
      sessionId: session.sessionId,
    };
    return true;
  }
}
