import { type PipeTransform } from '@nestjs/common';
import { NotFoundError } from '../../../../libs/domain/errors/domain-errors';
import { isUuid } from '../../../../libs/domain/ids/uuid';

/**
 * Path ids that are not UUIDs cannot name anything: answer 404 like any other unknown id, so the
 * response never tells a malformed id from a foreign one.
 */
export class UuidParamPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isUuid(value)) throw new NotFoundError('The resource');
    return value.toLowerCase();
  }
}
