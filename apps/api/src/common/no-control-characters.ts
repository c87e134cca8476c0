import { ValidateBy, type ValidationOptions } from 'class-validator';

/** U+0000 to U+001F. PostgreSQL cannot store NUL in text, and none of them belongs in an identifier. */
export function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) < 0x20) return true;
  return false;
}

/**
 * Refuses strings with C0 control characters (400 VALIDATION_FAILED). A per-field rule for identifiers,
 * usernames, passwords and tokens; non-strings are left to the field's type check.
 */
export function NoControlCharacters(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'noControlCharacters',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || !hasControlCharacter(value),
        defaultMessage: () => 'must not contain control characters',
      },
    },
    options,
  );
}
