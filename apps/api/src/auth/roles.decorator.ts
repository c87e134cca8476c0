import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiError } from '../common/api-errors.decorator';
import { type Role, ROLES, RolesGuard } from './roles.guard';

/**
 * Limits a route (or a controller) to callers of the given roles; anyone else signed in gets 403
 * FORBIDDEN. Role checks only: who may reach whom is the messaging policy's (libs/policy) decision.
 */
export const Roles = (...roles: Role[]) =>
  applyDecorators(
    SetMetadata(ROLES, roles),
    UseGuards(RolesGuard),
    ApiError(403, `FORBIDDEN: only for ${roles.join(', ')}.`),
  );
