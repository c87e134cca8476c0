import busboy from 'busboy';
import { type IncomingMessage } from 'node:http';
import { type Readable } from 'node:stream';
import {
  DomainError,
  PayloadTooLargeError,
  ValidationFailedError,
} from '../../../../libs/domain/errors/domain-errors';
import { describeTextProblem, findTextProblem } from '../../../../libs/domain/text/untrusted-text';

export const FILE_FIELD = 'file';

/** Multipart framing (boundaries, part headers) around the file; a body beyond this is surely too big. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

const missingFile = () =>
  new ValidationFailedError(`Send the file as multipart/form-data in a field named "${FILE_FIELD}".`, [
    { field: FILE_FIELD, message: 'is required' },
  ]);

/**
 * Hands the one file of a multipart upload to `consume` as a stream, never buffering it: busboy parses
 * the request as it arrives and `consume` pulls the file at its own pace. The file stream delivers at
 * most `maxBytes + 1` bytes, so a consumer counting bytes sees when the limit is exceeded. Resolves
 * with `consume`'s result once the whole request has been read; a failing `consume` still lets the
 * rest of the request drain, so the client receives the error instead of a reset connection.
 */
export function receiveSingleFile<T>(
  req: IncomingMessage,
  maxBytes: number,
  consume: (file: Readable, declaredName: string) => Promise<T>,
): Promise<T> {
  const declaredLength = Number(req.headers['content-length']);
  if (Number.isFinite(declaredLength) && declaredLength > maxBytes + MULTIPART_OVERHEAD_BYTES) {
    req.resume();
    return Promise.reject(
      new PayloadTooLargeError(`The file is larger than the limit of ${maxBytes} bytes.`),
    );
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      defParamCharset: 'utf8',
      limits: { files: 1, fileSize: maxBytes + 1, fields: 10, fieldSize: 1024, parts: 12 },
    });
  } catch {
    req.resume();
    return Promise.reject(missingFile());
  }

  return new Promise<T>((resolve, reject) => {
    let consumed: Promise<T> | undefined;
    let problem: Error | undefined;

    parser.on('file', (name, file, info) => {
      if (name !== FILE_FIELD || consumed) {
        problem ??= new ValidationFailedError(`Send exactly one file, in the field "${FILE_FIELD}".`, [
          { field: FILE_FIELD, message: 'must be the only file' },
        ]);
        file.resume();
        return;
      }
      const filename = info.filename ?? '';
      const nameProblem = findTextProblem(filename, false);
      if (nameProblem) {
        problem ??= new ValidationFailedError(`The file name ${describeTextProblem(nameProblem)}.`, [
          { field: 'filename', message: describeTextProblem(nameProblem) },
        ]);
        file.resume();
        return;
      }
      consumed = consume(file, filename);
      // Whatever the consumer left unread is drained, so parsing reaches the end of the request.
      consumed.catch(() => {
        file.unpipe();
        file.resume();
      });
    });
    parser.on('filesLimit', () => {
      problem ??= new ValidationFailedError('Send one file per upload.', [
        { field: FILE_FIELD, message: 'must be the only file' },
      ]);
    });
    parser.on('error', (error: unknown) => {
      req.unpipe(parser);
      req.resume();
      const settle = consumed ?? Promise.resolve();
      // The consumer fails with the same parse error; its own refusals (413, 415) take precedence.
      settle.then(
        () => reject(invalidMultipart(error)),
        (consumerError: unknown) =>
          reject(consumerError instanceof DomainError ? consumerError : invalidMultipart(error)),
      );
    });
    parser.on('close', () => {
      if (!consumed) {
        reject(problem ?? missingFile());
        return;
      }
      consumed.then(
        (result) => (problem ? reject(problem) : resolve(result)),
        (consumerError: unknown) => reject(consumerError),
      );
    });
    req.pipe(parser);
  });
}

function invalidMultipart(error: unknown): ValidationFailedError {
  const detail = error instanceof Error ? error.message : 'malformed body';
  return new ValidationFailedError(`The upload is not a valid multipart/form-data body (${detail}).`);
}
