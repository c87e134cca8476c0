import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'homeroom:isPublic';

/**
 * Marks one of the few routes that need no token (DESIGN.md invariant 1: liveness, readiness, login,
 * invitation acceptance, the three steps of school sign-in, docs). Everything else is denied by the global AuthGuard by default.
 */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);
