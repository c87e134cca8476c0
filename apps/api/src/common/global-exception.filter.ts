import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import { type Response } from 'express';
import {
  DomainError,
  RateLimitedError,
  UnavailableError,
  ValidationFailedError,
} from '../../../../libs/domain/errors/domain-errors';
import { type Logger } from '../../../../libs/logging/logger';
import { unavailableDependency } from './dependency-failure';
import { errorBody } from './error-body';
import { type HomeroomRequest } from './request-context';

const CODE_BY_STATUS: Record<number, string> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  410: 'GONE',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  503: 'UNAVAILABLE',
};

interface Mapped {
  status: number;
  code: string;
  message: string;
  details?: unknown;
  headers?: Record<string, string>;
}

/**
 * The one place where errors become HTTP responses. Domain errors keep their code; framework errors
 * (unknown route, malformed JSON, body too large) get the contract's code for their status; anything
 * else is a 500 whose details stay in the log, never in the response.
 */
@Catch()
export class GlobalExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<HomeroomRequest>();
    const res = http.getResponse<Response>();
    const dependency = unavailableDependency(exception);
    if (dependency) {
      this.logger.warn(
        {
          correlationId: req.correlationId,
          dependency,
          failure: { name: errorName(exception), errorCode: errorCode(exception) },
        },
        'a dependency is unavailable; answered 503',
      );
    }
    // One answer for every dependency: which one is down is for the log, not for callers.
    const mapped = this.map(dependency ? new UnavailableError() : exception);
    if (mapped.status >= 500 && mapped.status !== 503) {
      this.logger.error(
        { correlationId: req.correlationId, err: describe(exception) },
        'unhandled error while serving a request',
      );
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    for (const [name, value] of Object.entries(mapped.headers ?? {})) res.setHeader(name, value);
    res.status(mapped.status).json(errorBody(mapped.code, mapped.message, req.correlationId, mapped.details));
  }

  private map(exception: unknown): Mapped {
    if (exception instanceof RateLimitedError || exception instanceof UnavailableError) {
      return { ...fromDomain(exception), headers: { 'Retry-After': String(exception.retryAfterSeconds) } };
    }
    if (exception instanceof ValidationFailedError) {
      return { ...fromDomain(exception), details: exception.details.length ? exception.details : undefined };
    }
    if (exception instanceof DomainError) return fromDomain(exception);
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return { status, code: CODE_BY_STATUS[status] ?? 'ERROR', message: httpMessage(exception) };
    }
    const bodyParserStatus = bodyParserErrorStatus(exception);
    if (bodyParserStatus) {
      return {
        status: bodyParserStatus,
        code: CODE_BY_STATUS[bodyParserStatus] ?? 'VALIDATION_FAILED',
        message:
          bodyParserStatus === 413 ? 'The request body is too large.' : 'The request body is not valid JSON.',
      };
    }
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      code: 'INTERNAL',
      message: 'Something went wrong on our side.',
    };
  }
}

function fromDomain(error: DomainError): Mapped {
  return { status: error.status, code: error.code, message: error.message };
}

function httpMessage(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'object' && response !== null && 'message' in response) {
    const message = (response as { message: unknown }).message;
    if (Array.isArray(message)) return message.join('; ');
    if (typeof message === 'string') return message;
  }
  return exception.message;
}

/** body-parser reports malformed or oversized bodies as plain errors carrying `type` and `status`. */
function bodyParserErrorStatus(exception: unknown): number | undefined {
  if (typeof exception !== 'object' || exception === null) return undefined;
  const { type, status } = exception as { type?: unknown; status?: unknown };
  if (typeof type !== 'string' || typeof status !== 'number') return undefined;
  return status >= 400 && status < 500 ? status : undefined;
}

function describe(exception: unknown): { name?: string; message?: string; stack?: string } {
  return exception instanceof Error
    ? { name: exception.name, message: exception.message, stack: exception.stack }
    : { message: String(exception) };
}

function errorName(exception: unknown): string | undefined {
  return exception instanceof Error ? exception.name : undefined;
}

function errorCode(exception: unknown): unknown {
  return typeof exception === 'object' && exception !== null
    ? (exception as { code?: unknown }).code
    : undefined;
}
