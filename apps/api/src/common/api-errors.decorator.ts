import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiParam, ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';

/** One problem of a refused request, e.g. `{ field: 'username', message: 'must be a string' }`. */
export class ErrorDetailDto {
  @ApiProperty() field!: string;
  @ApiProperty() message!: string;
}

/** The error object of the contract's error body (API.md; built by error-body.ts in the global filter). */
export class ErrorDto {
  @ApiProperty({ example: 'VALIDATION_FAILED', description: 'Stable, machine-readable code.' })
  code!: string;

  @ApiProperty({ description: 'For people; never contains stored data of others.' })
  message!: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Names the log line of this request.' })
  correlationId?: string;

  @ApiPropertyOptional({ type: [ErrorDetailDto], description: 'Per-field problems for VALIDATION_FAILED.' })
  details?: ErrorDetailDto[];
}

export class ErrorBodyDto {
  @ApiProperty({ type: ErrorDto })
  error!: ErrorDto;
}

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 410 | 413 | 415 | 429 | 503;

const MEANING: Record<ErrorStatus, string> = {
  400: 'VALIDATION_FAILED: a parameter, header or body is malformed; nothing changed.',
  401: 'UNAUTHENTICATED: no live session token.',
  403: 'FORBIDDEN: the caller may not do this.',
  404: 'NOT_FOUND: no such resource the caller may see (a malformed id is not found either).',
  409: 'CONFLICT: the resource is not in a state that allows this.',
  410: 'GONE: the resource no longer exists.',
  413: 'PAYLOAD_TOO_LARGE: the body is over the limit.',
  415: 'UNSUPPORTED_MEDIA_TYPE: the content type is refused.',
  429: 'RATE_LIMITED: a limit or quota is used up; Retry-After gives the seconds to wait.',
  503: 'UNAVAILABLE: a dependency is down; retry after Retry-After seconds.',
};

/** One error response in the contract's shape, with the route's own explanation where it has one. */
export const ApiError = (status: ErrorStatus, description?: string) =>
  ApiResponse({ status, type: ErrorBodyDto, description: description ?? MEANING[status] });

export const ApiErrors = (...statuses: ErrorStatus[]) =>
  applyDecorators(...statuses.map((status) => ApiError(status)));

/**
 * What any route can answer whatever it does: malformed input (400), a body over the JSON limit (413,
 * body parsing runs before routing), a dependency down (503). On controllers; routes add their own.
 */
export const ApiCommonErrors = () => ApiErrors(400, 413, 503);

/** A route behind the session guard: a bearer token, 401 without a live one, plus the common errors. */
export const ApiAuthenticated = () => applyDecorators(ApiBearerAuth(), ApiErrors(401), ApiCommonErrors());

/** Writes a stolen account could abuse count against per-user and per-district quotas. */
export const ApiWrite = () => ApiError(429);

/** A path id is a UUID; anything else is answered 404 like an unknown id (UuidParamPipe). */
export const ApiUuidParam = (name: string, notFound?: string) =>
  applyDecorators(ApiParam({ name, format: 'uuid', type: String }), ApiError(404, notFound));
