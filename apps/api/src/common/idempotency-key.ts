import { type ApiHeaderOptions } from '@nestjs/swagger';
import { ValidationFailedError } from '../../../../libs/domain/errors/domain-errors';

// A fixed literal pattern that request content is tested against, never built from it.
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,200}$/;

/**
 * The `Idempotency-Key` header of a create request: absent, or 1 to 200 letters, digits or `. _ : -`
 * (a UUID fits). The key is only ever hashed into an id (libs/messaging/idempotent-id.ts).
 */
export function idempotencyKeyFrom(header: string | undefined): string | undefined {
  if (header !== undefined && !IDEMPOTENCY_KEY.test(header)) {
    throw new ValidationFailedError(
      'The Idempotency-Key header must be 1 to 200 letters, digits or . _ : -.',
      [{ field: 'Idempotency-Key', message: 'must be 1 to 200 letters, digits or . _ : -' }],
    );
  }
  return header;
}

export function idempotencyKeyHeaderDoc(description: string): ApiHeaderOptions {
  return {
    // Lower case, as @Headers() names it, so the document lists the header once.
    name: 'idempotency-key',
    required: false,
    description,
    schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,200}$', maxLength: 200 },
  };
}
