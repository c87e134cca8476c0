import { type FileKind } from './allowed-types';

/** How many trailing bytes of a ZIP upload are kept to read its central directory. */
export const ZIP_TAIL_BYTES = 1024 * 1024;

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_DIRECTORY_ENTRY = 0x02014b50;
const EOCD_MIN_BYTES = 22;
const MAX_COMMENT_BYTES = 0xffff;

export type ZipDirectory =
  | { readable: true; names: string[] }
  /** No end-of-central-directory record at all: not a well-formed archive. */
  | { readable: false }
  /** The directory starts before the kept tail (a huge archive): well-formed, names unknown. */
  | { readable: true; names: null };

/**
 * Reads entry names from the central directory found in the last bytes of an archive. Only the
 * directory is parsed — nothing is decompressed — so a hostile archive costs no more than its tail.
 */
export function readZipDirectory(tail: Buffer, totalSize: number): ZipDirectory {
  const eocd = findEndOfCentralDirectory(tail);
  if (eocd < 0) return { readable: false };
  const entries = tail.readUInt16LE(eocd + 10);
  const directorySize = tail.readUInt32LE(eocd + 12);
  const directoryOffset = tail.readUInt32LE(eocd + 16);
  // ZIP64 archives put 0xFFFFFFFF here and the real values elsewhere; their names stay unknown.
  if (directoryOffset === 0xffffffff || directorySize === 0xffffffff) return { readable: true, names: null };
  const tailStart = totalSize - tail.length;
  const start = directoryOffset - tailStart;
  if (start < 0 || start + directorySize > eocd) return { readable: true, names: null };
  const names: string[] = [];
  let position = start;
  for (let i = 0; i < entries && position + 46 <= eocd; i += 1) {
    if (tail.readUInt32LE(position) !== CENTRAL_DIRECTORY_ENTRY) break;
    const nameLength = tail.readUInt16LE(position + 28);
    const extraLength = tail.readUInt16LE(position + 30);
    const commentLength = tail.readUInt16LE(position + 32);
    names.push(tail.toString('utf8', position + 46, Math.min(position + 46 + nameLength, eocd)));
    position += 46 + nameLength + extraLength + commentLength;
  }
  return { readable: true, names };
}

function findEndOfCentralDirectory(tail: Buffer): number {
  const lowest = Math.max(0, tail.length - EOCD_MIN_BYTES - MAX_COMMENT_BYTES);
  for (let position = tail.length - EOCD_MIN_BYTES; position >= lowest; position -= 1) {
    if (tail.readUInt32LE(position) === END_OF_CENTRAL_DIRECTORY) return position;
  }
  return -1;
}

/**
 * Office Open XML packages are ZIPs with a `[Content_Types].xml` part and their main part under
 * `word/`, `xl/` or `ppt/`. Anything else in a ZIP container is a plain archive.
 */
export function officeKindOf(names: readonly string[]): FileKind | null {
  if (!names.includes('[Content_Types].xml')) return null;
  if (names.some((n) => n.startsWith('word/'))) return 'docx';
  if (names.some((n) => n.startsWith('xl/'))) return 'xlsx';
  if (names.some((n) => n.startsWith('ppt/'))) return 'pptx';
  return null;
}
