import { ValidationFailedError } from '../../../../libs/errors/domain-errors';

/**
 * Opaque keyset cursors: the sort key of the last item returned, base64url-encoded JSON. Keyset
 * pagination (not offsets) keeps pages stable while new rows arrive.
 */
export function encodeCursor(key: Record<string, string>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor<K extends string>(
  cursor: string | undefined,
  fields: readonly K[],
): Record<K, string> | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      parsed &&
      typeof parsed === 'object' &&
      fields.every((f) => typeof (parsed as Record<string, unknown>)[f] === 'string')
    ) {
      return parsed as Record<K, string>;
    }
  } catch {
    // Falls through to the validation error below.
  }
  throw new ValidationFailedError('The cursor is not valid.', [{ field: 'cursor', message: 'is not valid' }]);
}
