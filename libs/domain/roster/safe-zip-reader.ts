import { crc32, inflateRawSync } from 'node:zlib';
import { ARCHIVE_FILE, type RosterFileError } from './types';

/**
 * Reads a zip from memory without trusting it: entry names that could escape a directory are refused,
 * the declared sizes are summed and checked against a limit before anything is inflated, and each
 * inflation is cut off by zlib the moment it exceeds the size its entry declared, so a lying header
 * cannot make us allocate or burn more than the limit. Only the entries the caller reads are
 * inflated at all. Sizes and CRCs are checked against the central directory.
 */

export interface ZipReadLimits {
  maxUncompressedBytes: number;
  maxEntries: number;
}

/** An archive whose directory passed every check; entries are inflated only when asked for. */
export interface ZipArchive {
  readonly entryNames: readonly string[];
  has(name: string): boolean;
  /** The entry's bytes; throws {@link ZipEntryError} when the entry is corrupt or forged. */
  read(name: string): Uint8Array;
}

export type ZipOpenResult = { ok: true; archive: ZipArchive } | { ok: false; errors: RosterFileError[] };

export class ZipEntryError extends Error {}

interface CentralEntry {
  name: string;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
const ZIP64_EXTRA_ID = 0x0001;
const FLAG_ENCRYPTED = 0x1;
const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;

export function openZipArchive(zip: Uint8Array, limits: ZipReadLimits): ZipOpenResult {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let entries: CentralEntry[];
  try {
    entries = readCentralDirectory(view, limits.maxEntries);
  } catch (error) {
    if (!(error instanceof ZipEntryError)) throw error;
    return { ok: false, errors: [{ file: ARCHIVE_FILE, line: 0, message: error.message }] };
  }
  const errors = checkEntries(entries, limits.maxUncompressedBytes);
  if (errors.length > 0) return { ok: false, errors };

  const files = new Map(
    entries.filter((entry) => !isDirectory(entry.name)).map((entry) => [entry.name, entry]),
  );
  return {
    ok: true,
    archive: {
      entryNames: entries.map((entry) => entry.name),
      has: (name) => files.has(name),
      read: (name) => {
        const entry = files.get(name);
        if (!entry) throw new ZipEntryError('the archive does not contain this file');
        return extract(zip, view, entry);
      },
    },
  };
}

function checkEntries(entries: CentralEntry[], maxUncompressedBytes: number): RosterFileError[] {
  const errors: RosterFileError[] = [];
  const seen = new Set<string>();
  let declaredTotal = 0;
  for (const entry of entries) {
    declaredTotal += entry.uncompressedSize;
    const unsafe = unsafePathReason(entry.name);
    if (unsafe) errors.push({ file: entry.name, line: 0, message: `refused: the entry name ${unsafe}` });
    if (seen.has(entry.name)) {
      errors.push({
        file: entry.name,
        line: 0,
        message: 'refused: the archive holds two entries with this name',
      });
    }
    seen.add(entry.name);
    if (entry.flags & FLAG_ENCRYPTED) {
      errors.push({ file: entry.name, line: 0, message: 'encrypted entries are not supported' });
    }
    if (entry.method !== METHOD_STORED && entry.method !== METHOD_DEFLATE) {
      errors.push({ file: entry.name, line: 0, message: `unsupported compression method ${entry.method}` });
    }
  }
  if (declaredTotal > maxUncompressedBytes) {
    errors.push({
      file: ARCHIVE_FILE,
      line: 0,
      message: `refused: the archive declares ${declaredTotal} uncompressed bytes, more than the limit of ${maxUncompressedBytes}`,
    });
  }
  return errors;
}

/** Why a name could write or read outside the directory it is extracted to, or null when it cannot. */
export function unsafePathReason(name: string): string | null {
  if (name.length === 0) return 'is empty';
  if (name.includes('\0')) return 'contains a NUL character';
  if (name.includes('\\')) return 'contains a backslash';
  if (name.startsWith('/')) return 'is an absolute path';
  if (/^[A-Za-z]:/.test(name)) return 'starts with a drive letter';
  if (name.split('/').some((segment) => segment === '..')) return "contains a '..' segment";
  return null;
}

function isDirectory(name: string): boolean {
  return name.endsWith('/');
}

function readCentralDirectory(view: DataView, maxEntries: number): CentralEntry[] {
  const eocd = findEndOfCentralDirectory(view);
  if (view.getUint16(eocd + 4, true) !== 0 || view.getUint16(eocd + 6, true) !== 0) {
    throw new ZipEntryError('multi-volume archives are not supported');
  }
  let count = view.getUint16(eocd + 10, true);
  let offset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || offset === 0xffffffff) {
    ({ count, offset } = readZip64EndOfCentralDirectory(view, eocd));
  }
  if (count > maxEntries) {
    throw new ZipEntryError(
      `refused: the archive has ${count} entries, more than the limit of ${maxEntries}`,
    );
  }

  const entries: CentralEntry[] = [];
  for (let index = 0; index < count; index++) {
    ensureWithin(view, offset, 46);
    if (view.getUint32(offset, true) !== CENTRAL_SIGNATURE) {
      throw new ZipEntryError('the central directory is corrupt');
    }
    const nameLength = view.getUint16(offset + 28, true);
    const extraLength = view.getUint16(offset + 30, true);
    const commentLength = view.getUint16(offset + 32, true);
    ensureWithin(view, offset + 46, nameLength + extraLength + commentLength);
    const nameBytes = new Uint8Array(view.buffer, view.byteOffset + offset + 46, nameLength);
    const entry: CentralEntry = {
      name: new TextDecoder().decode(nameBytes),
      flags: view.getUint16(offset + 8, true),
      method: view.getUint16(offset + 10, true),
      crc: view.getUint32(offset + 16, true),
      compressedSize: view.getUint32(offset + 20, true),
      uncompressedSize: view.getUint32(offset + 24, true),
      localHeaderOffset: view.getUint32(offset + 42, true),
    };
    applyZip64Extra(view, offset + 46 + nameLength, extraLength, entry);
    entries.push(entry);
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function findEndOfCentralDirectory(view: DataView): number {
  const lowest = Math.max(0, view.byteLength - EOCD_SIZE - MAX_COMMENT);
  for (let position = view.byteLength - EOCD_SIZE; position >= lowest; position--) {
    if (view.getUint32(position, true) === EOCD_SIGNATURE) return position;
  }
  throw new ZipEntryError('not a zip archive');
}

function readZip64EndOfCentralDirectory(view: DataView, eocd: number): { count: number; offset: number } {
  const locator = eocd - 20;
  if (locator < 0 || view.getUint32(locator, true) !== ZIP64_LOCATOR_SIGNATURE) {
    throw new ZipEntryError('the zip64 end of central directory is missing');
  }
  const record = readUint64(view, locator + 8);
  ensureWithin(view, record, 56);
  if (view.getUint32(record, true) !== ZIP64_EOCD_SIGNATURE) {
    throw new ZipEntryError('the zip64 end of central directory is corrupt');
  }
  return { count: readUint64(view, record + 32), offset: readUint64(view, record + 48) };
}

/** Zip64 stores the fields that overflowed 32 bits, in this order, in extra field 0x0001. */
function applyZip64Extra(view: DataView, start: number, length: number, entry: CentralEntry): void {
  const needs = {
    uncompressed: entry.uncompressedSize === 0xffffffff,
    compressed: entry.compressedSize === 0xffffffff,
    offset: entry.localHeaderOffset === 0xffffffff,
  };
  if (!needs.uncompressed && !needs.compressed && !needs.offset) return;
  for (let position = start; position + 4 <= start + length;) {
    const id = view.getUint16(position, true);
    const size = view.getUint16(position + 2, true);
    if (id === ZIP64_EXTRA_ID) {
      let field = position + 4;
      if (needs.uncompressed) {
        entry.uncompressedSize = readUint64(view, field);
        field += 8;
      }
      if (needs.compressed) {
        entry.compressedSize = readUint64(view, field);
        field += 8;
      }
      if (needs.offset) entry.localHeaderOffset = readUint64(view, field);
      return;
    }
    position += 4 + size;
  }
  throw new ZipEntryError(`the zip64 sizes of ${entry.name} are missing`);
}

function readUint64(view: DataView, position: number): number {
  ensureWithin(view, position, 8);
  const value = view.getBigUint64(position, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipEntryError('a zip64 size is out of range');
  return Number(value);
}

function ensureWithin(view: DataView, position: number, length: number): void {
  if (position < 0 || position + length > view.byteLength) {
    throw new ZipEntryError('the archive is truncated or corrupt');
  }
}

function extract(zip: Uint8Array, view: DataView, entry: CentralEntry): Uint8Array {
  const local = entry.localHeaderOffset;
  ensureWithin(view, local, 30);
  if (view.getUint32(local, true) !== LOCAL_SIGNATURE) throw new ZipEntryError('the local header is corrupt');
  const nameLength = view.getUint16(local + 26, true);
  const extraLength = view.getUint16(local + 28, true);
  ensureWithin(view, local + 30, nameLength);
  const localName = new TextDecoder().decode(zip.subarray(local + 30, local + 30 + nameLength));
  if (localName !== entry.name) {
    throw new ZipEntryError('refused: the local header names a different file than the central directory');
  }
  const dataStart = local + 30 + nameLength + extraLength;
  ensureWithin(view, dataStart, entry.compressedSize);
  const compressed = zip.subarray(dataStart, dataStart + entry.compressedSize);

  const content =
    entry.method === METHOD_STORED ? compressed : inflateBounded(compressed, entry.uncompressedSize);
  if (content.length !== entry.uncompressedSize) {
    throw new ZipEntryError(
      `the entry holds ${content.length} bytes but declares ${entry.uncompressedSize}: refused as corrupt or forged`,
    );
  }
  if (crc32(content) >>> 0 !== entry.crc)
    throw new ZipEntryError('the CRC-32 check failed: the entry is corrupt');
  return content;
}

function inflateBounded(compressed: Uint8Array, declaredSize: number): Uint8Array {
  try {
    return inflateRawSync(compressed, { maxOutputLength: Math.max(declaredSize, 1) });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new ZipEntryError(`refused: the entry inflates beyond the ${declaredSize} bytes it declares`);
    }
    throw new ZipEntryError('the compressed data is corrupt');
  }
}
