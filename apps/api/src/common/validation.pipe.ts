import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { ValidationFailedError } from '../../../../libs/domain/errors/domain-errors';

/** DTOs are validated strictly: unknown fields are refused rather than silently dropped. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors: ValidationError[]) => {
      const details = flatten(errors);
      return new ValidationFailedError(
        details.length
          ? `Invalid request: ${details.map((d) => `${d.field} ${d.message}`).join('; ')}.`
          : 'Invalid request.',
        details,
      );
    },
  });
}

function flatten(errors: ValidationError[], prefix = ''): { field: string; message: string }[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      field,
      message: withoutLeadingProperty(message, error.property),
    }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/**
 * class-validator starts its messages with the property name ("username must be a string"); the field
 * is reported separately. The property name is request content (an unknown key), so it is compared as
 * text, never turned into a pattern.
 */
function withoutLeadingProperty(message: string, property: string): string {
  const prefix = `${property} `;
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}
