import { DomainError } from '../domain/errors/domain-errors';

/**
 * An invitation token that is unknown, already used, expired, superseded by a newer one or for a
 * deactivated user. One answer for all: a used token is no longer a credential, and telling "used" from "unknown" would only
 * confirm to whoever holds a stolen token that it once was one. 401 like any refused credential.
 */
export class InvalidInvitationError extends DomainError {
  readonly status = 401;
  readonly code = 'INVALID_INVITATION';
  constructor() {
    super('The invitation is not valid: it may have been used already or have expired. Ask for a new one.');
  }
}
