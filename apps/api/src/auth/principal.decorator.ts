import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { UnauthenticatedError } from '../../../../libs/domain/errors/domain-errors';
import { type HomeroomRequest, type Principal } from '../common/request-context';

/** The authenticated caller; only reachable on routes the AuthGuard has let through. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<HomeroomRequest>().principal;
  if (!principal) throw new UnauthenticatedError();
  return principal;
});
