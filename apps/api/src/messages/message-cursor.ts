import { ValidationFailedError } from '../../../../libs/errors/domain-errors';
import { decodeCursor } from '../common/cursor';
import { isUuid } from '../../../../libs/ids/uuid';

/** Decodes a (createdAt, id) keyset cursor, as used by message and announcement pages. */
export function decodeCreatedAtCursor(
  cursor: string | undefined,
): { createdAt: Date; id: string } | undefined {
  const key = decodeCursor(cursor, ['createdAt', 'id'] as const);
  if (!key) return undefined;
  const createdAt = new Date(key.createdAt);
  if (Number.isNaN(createdAt.getTime()) || !isUuid(key.id)) {
    throw new ValidationFailedError('The cursor is not valid.', [
      { field: 'cursor', message: 'is not valid' },
    ]);
  }
  return { createdAt, id: key.id.toLowerCase() };
}
