import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ForbiddenError, UnauthenticatedError } from '../../../../libs/domain/errors/domain-errors';
import { type HomeroomRequest, type Principal } from '../common/request-context';

export const ROLES = 'homeroom:roles';

export type Role = Principal['role'];

/** Runs after the global AuthGuard, so a principal is there on every route it protects. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!roles) return true;
    const principal = context.switchToHttp().getRequest<HomeroomRequest>().principal;
    if (!principal) throw new UnauthenticatedError();
    if (!roles.includes(principal.role)) throw new ForbiddenError('Your role does not allow this.');
    return true;
  }
}
