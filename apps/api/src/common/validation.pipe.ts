import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { ValidationFailedError } from '../../../../libs/errors/domain-errors';

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
      message: message.replace(new RegExp(`^${error.property} `), ''),
    }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
