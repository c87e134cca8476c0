import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import {
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationFailedError,
} from '../domain/errors/domain-errors';
import { type FileKind, SCRIPT_EXTENSIONS } from './allowed-types';
import { archiveMemberProblem } from './archive-members';
import { declaredExtension } from './filename';
import { type HeadVerdict, SNIFF_BYTES, sniffHead, TextValidator } from './sniff';
import { officeKindOf, readZipDirectory, ZIP_TAIL_BYTES } from './zip-directory';

export interface InspectedFile {
  kind: FileKind;
  size: number;
  sha256: string;
}

/**
 * Emitted once the first bytes are on the allow-list, before any byte passes: a consumer can wait for
 * it before it starts writing anywhere, so a file refused by its type never touches storage.
 */
export const ACCEPTED_EVENT = 'accepted';

export interface ContentInspectorOptions {
  maxBytes: number;
  /**
   * The name the uploader gave. It never makes a file acceptable: it only refuses text that would run
   * as a script under that name, and tells CSV from plain text (equally safe).
   */
  declaredName: string;
}

/**
 * A pass-through stream that judges an upload while it flows to storage, holding back only the first
 * {@link SNIFF_BYTES} until the type is known: it refuses a disallowed type before anything is
 * written, counts bytes against the limit, hashes with SHA-256, validates text as UTF-8 throughout and
 * keeps a ZIP whole (at most `maxBytes`) to read its directory and judge every member by the same
 * type rules as a top-level file ({@link archiveMemberProblem}). Refusals surface as the stream's error
 * (413, 415 or 400), so the caller only has to delete whatever reached storage.
 */
export class ContentInspector extends Transform {
  private readonly hash: Hash = createHash('sha256');
  private head: Buffer[] = [];
  private headBytes = 0;
  private verdict: HeadVerdict | null = null;
  private text: TextValidator | null = null;
  private zipParts: Buffer[] = [];
  private size = 0;
  private inspected: InspectedFile | null = null;

  constructor(private readonly options: ContentInspectorOptions) {
    super();
  }

  /** The outcome, once the stream has finished without error. */
  result(): InspectedFile {
    if (!this.inspected) throw new Error('the upload has not been inspected to its end');
    return this.inspected;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.options.maxBytes) {
      callback(tooLarge(this.options.maxBytes));
      return;
    }
    this.hash.update(chunk);
    if (this.verdict) {
      callback(this.observe(chunk));
      return;
    }
    this.head.push(chunk);
    this.headBytes += chunk.length;
    if (this.headBytes < SNIFF_BYTES) {
      callback();
      return;
    }
    callback(this.decideHead());
  }

  override _flush(callback: TransformCallback): void {
    if (!this.verdict) {
      const error = this.decideHead();
      if (error) {
        callback(error);
        return;
      }
    }
    try {
      this.inspected = { kind: this.finalKind(), size: this.size, sha256: this.hash.digest('hex') };
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  private decideHead(): Error | undefined {
    const head = Buffer.concat(this.head);
    this.head = [];
    this.verdict = sniffHead(head);
    if (this.verdict.family === 'refused') {
      return head.length === 0
        ? new ValidationFailedError('The file is empty.', [{ field: 'file', message: 'must not be empty' }])
        : new UnsupportedMediaTypeError(this.verdict.reason);
    }
    if (this.verdict.family === 'text') {
      const extension = declaredExtension(this.options.declaredName);
      if (extension !== null && SCRIPT_EXTENSIONS.has(extension)) {
        return new UnsupportedMediaTypeError('Executable files and scripts are not accepted.');
      }
      this.text = new TextValidator();
    }
    this.emit(ACCEPTED_EVENT, this.verdict.family);
    return this.observe(head);
  }

  private observe(chunk: Buffer): Error | undefined {
    if (this.text) this.text.push(chunk);
    if (this.verdict?.family === 'zip') this.zipParts.push(chunk);
    this.push(chunk);
    return undefined;
  }

  private finalKind(): FileKind {
    const verdict = this.verdict;
    if (!verdict || verdict.family === 'refused')
      throw new UnsupportedMediaTypeError('This file type is not accepted.');
    if (verdict.family === 'binary') return verdict.kind;
    if (verdict.family === 'text') {
      const failure = this.text?.end() ?? null;
      if (failure) throw new UnsupportedMediaTypeError(failure);
      return /\.csv$/i.test(this.options.declaredName.trim()) ? 'csv' : 'text';
    }
    const all = Buffer.concat(this.zipParts);
    this.zipParts = [];
    const tail = all.subarray(Math.max(0, all.length - ZIP_TAIL_BYTES));
    const directory = readZipDirectory(tail, this.size);
    if (!directory.readable) throw new UnsupportedMediaTypeError('The archive is damaged or incomplete.');
    if (verdict.openDocumentKind) return verdict.openDocumentKind;
    const office = directory.names && officeKindOf(directory.names);
    if (office) return office;
    const problem = archiveMemberProblem(all);
    if (problem) throw new UnsupportedMediaTypeError(problem);
    return 'zip';
  }
}

function tooLarge(maxBytes: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`The file is larger than the limit of ${maxBytes} bytes.`);
}
