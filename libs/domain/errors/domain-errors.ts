/**
 * Typed domain errors. Services throw these; the API's global filter is the one place that turns them
 * into the contract's `{ error: { code, message } }` with an HTTP status. Messages are written for the
 * person calling the API and must never contain personal data or message text.
 */
export abstract class DomainError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationFailedError extends DomainError {
  readonly status = 400;
  readonly code = 'VALIDATION_FAILED';
  constructor(
    message: string,
    readonly details: { field: string; message: string }[] = [],
  ) {
    super(message);
  }
}

export class UnauthenticatedError extends DomainError {
  readonly status = 401;
  constructor(
    readonly code:
      | 'UNAUTHENTICATED'
      | 'INVALID_CREDENTIALS'
      | 'TOTP_REQUIRED'
      | 'INVALID_SIGN_IN_CODE' = 'UNAUTHENTICATED',
    message = 'Authentication is required.',
  ) {
    super(message);
  }
}

export class ForbiddenError extends DomainError {
  readonly status = 403;
  readonly code = 'FORBIDDEN';
  constructor(message = 'You are not allowed to do this.') {
    super(message);
  }
}

/** A suspended account presenting the right password: said only then, so it reveals nothing to guessers. */
export class AccountSuspendedError extends DomainError {
  readonly status = 403;
  readonly code = 'ACCOUNT_SUSPENDED';
  constructor() {
    super('This account is suspended. Ask your school or district administrator.');
  }
}

/** A signed-in person who must prove again that they know the password, and did not. */
export class ReauthenticationFailedError extends DomainError {
  readonly status = 403;
  readonly code = 'INVALID_PASSWORD';
  constructor() {
    super('The current password is not correct.');
  }
}

/** The district signs this role in through its identity provider only; said only after a right password. */
export class PasswordSignInDisabledError extends DomainError {
  readonly status = 403;
  readonly code = 'PASSWORD_SIGNIN_DISABLED';
  constructor() {
    super('Your district signs you in through your school account: use school sign-in.');
  }
}

export class NotFoundError extends DomainError {
  readonly status = 404;
  readonly code = 'NOT_FOUND';
  constructor(what = 'The resource') {
    super(`${what} was not found.`);
  }
}

export class ConflictError extends DomainError {
  readonly status = 409;
  constructor(
    readonly code: string = 'CONFLICT',
    message = 'The request conflicts with the current state.',
  ) {
    super(message);
  }
}

export class GoneError extends DomainError {
  readonly status = 410;
  constructor(
    readonly code: string = 'GONE',
    message = 'The resource is no longer available.',
  ) {
    super(message);
  }
}

export class PayloadTooLargeError extends DomainError {
  readonly status = 413;
  readonly code = 'PAYLOAD_TOO_LARGE';
}

export class UnsupportedMediaTypeError extends DomainError {
  readonly status = 415;
  readonly code = 'UNSUPPORTED_MEDIA_TYPE';
}

export class RateLimitedError extends DomainError {
  readonly status = 429;
  readonly code = 'RATE_LIMITED';
  constructor(
    readonly retryAfterSeconds: number,
    message = 'Too many attempts. Try again later.',
  ) {
    super(message);
  }
}

/** Seconds a client waits before retrying after a 503: long enough for a restart to finish. */
export const DEFAULT_UNAVAILABLE_RETRY_AFTER_SECONDS = 2;

/** A dependency is down or did not answer; the request may be retried (sends with their Idempotency-Key). */
export class UnavailableError extends DomainError {
  readonly status = 503;
  readonly code = 'UNAVAILABLE';
  constructor(
    message = 'The service is briefly unavailable. Try again shortly.',
    readonly retryAfterSeconds = DEFAULT_UNAVAILABLE_RETRY_AFTER_SECONDS,
  ) {
    super(message);
  }
}
