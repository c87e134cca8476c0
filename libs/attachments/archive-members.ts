import { constants, inflateRawSync } from 'node:zlib';
import { SCRIPT_EXTENSIONS } from './allowed-types';
import { declaredExtension } from './filename';
import { SNIFF_BYTES, sniffHead } from './sniff';
import { officeKindOf } from './zip-directory';

/** An archive inside the upload may hold archives of its own, but not archives inside those. */
export const MAX_ARCHIVE_NESTING = 2;
/**
 * Bytes the archives nested in one upload may unpack to: only they are unpacked whole (every other
 * member only as far as its first bytes), so a zip bomb stops here.
 */
export const MAX_UNPACKED_BYTES = 32 * 1024 * 1024;
/** Members (nested ones included) one upload may hold: each costs a little unpacking on the event loop. */
export const MAX_ARCHIVE_MEMBERS = 2_000;
/** Compressed bytes inflated to read a member's head; deflate cannot turn fewer into SNIFF_BYTES. */
const HEAD_INPUT_BYTES = 2048;

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;
const STORED = 0;
const DEFLATED = 8;
const ENCRYPTED_FLAG = 0x1;

const EXECUTABLE_MEMBER = 'The archive contains an executable file or a script, which is not accepted.';
const DAMAGED = 'The archive is damaged or cannot be inspected.';
const TOO_BIG = 'The archives inside the archive unpack to too much data, or are damaged.';
/** Scripts that carry no shebang but announce themselves in their first line. */
const SCRIPT_OPENINGS = ['@echo off', '#requires', 'wscript.', 'cscript '];

interface Entry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  localHeaderOffset: number;
}

/**
 * Applies the top-level type rules to every member of a ZIP archive, in memory and without writing
 * anything: a member named like a script, or whose first bytes the sniffer refuses (an executable, a
 * shebang, a type not on the allow-list) or that opens like a batch or PowerShell script, is refused;
 * so is an archive nested deeper than {@link MAX_ARCHIVE_NESTING}, one that cannot be read (encrypted
 * members, unknown compression, a damaged directory, ZIP64), one with more than
 * {@link MAX_ARCHIVE_MEMBERS} files and nested archives that unpack to more than {@link MAX_UNPACKED_BYTES}. Only a member's head is unpacked unless it is itself an archive,
 * which keeps the work per upload small. Text members are judged by their head (the top level checks
 * every byte is UTF-8). Returns the reason for refusal, or null for an acceptable archive. Office and
 * OpenDocument files inside are documents, judged by their type, not opened further.
 */
export function archiveMemberProblem(archive: Buffer): string | null {
  return inspectArchive(archive, 1, { unpacked: 0, members: 0 });
}

interface Budget {
  unpacked: number;
  members: number;
}

function inspectArchive(archive: Buffer, depth: number, budget: Budget): string | null {
  const entries = readEntries(archive);
  if (!entries) return DAMAGED;
  budget.members += entries.length;
  if (budget.members > MAX_ARCHIVE_MEMBERS)
    return `The archive holds more than ${MAX_ARCHIVE_MEMBERS} files.`;
  for (const entry of entries) {
    if (entry.name.endsWith('/')) continue;
    const extension = declaredExtension(entry.name.split('/').pop() ?? '');
    if (extension !== null && SCRIPT_EXTENSIONS.has(extension)) return EXECUTABLE_MEMBER;
    if (entry.flags & ENCRYPTED_FLAG)
      return 'The archive contains encrypted files, which cannot be inspected.';
    const raw = compressedBytes(archive, entry);
    if (!raw) return DAMAGED;
    if (entry.method !== STORED && entry.method !== DEFLATED) {
      return 'The archive uses a compression method that cannot be inspected.';
    }
    const problem = memberProblem(entry, raw, depth, budget);
    if (problem) return problem;
  }
  return null;
}

function memberProblem(entry: Entry, raw: Buffer, depth: number, budget: Budget): string | null {
  const head = memberHead(entry, raw);
  if (head === null) return DAMAGED;
  if (head.length === 0) return null;
  const verdict = sniffHead(head);
  if (verdict.family === 'refused')
    return `The archive contains a file that is not accepted: ${verdict.reason}`;
  if (verdict.family === 'text') {
    const opening = head.toString('utf8').trimStart().toLowerCase();
    return SCRIPT_OPENINGS.some((start) => opening.startsWith(start)) ? EXECUTABLE_MEMBER : null;
  }
  if (verdict.family !== 'zip' || verdict.openDocumentKind) return null;
  const content = wholeMember(entry, raw, budget);
  if (typeof content === 'string') return content;
  const nested = readEntries(content);
  if (nested && officeKindOf(nested.map((member) => member.name))) return null;
  if (depth >= MAX_ARCHIVE_NESTING)
    return 'Archives nested inside archives inside archives are not accepted.';
  return inspectArchive(content, depth + 1, budget);
}

function compressedBytes(archive: Buffer, entry: Entry): Buffer | null {
  const at = entry.localHeaderOffset;
  if (at + 30 > archive.length || archive.readUInt32LE(at) !== LOCAL_FILE_HEADER) return null;
  const start = at + 30 + archive.readUInt16LE(at + 26) + archive.readUInt16LE(at + 28);
  const end = start + entry.compressedSize;
  return end > archive.length ? null : archive.subarray(start, end);
}

/** The member's first SNIFF_BYTES, inflating only a bounded prefix of its compressed bytes. */
function memberHead(entry: Entry, raw: Buffer): Buffer | null {
  if (entry.method === STORED) return raw.subarray(0, SNIFF_BYTES);
  try {
    const prefix = inflateRawSync(raw.subarray(0, HEAD_INPUT_BYTES), { finishFlush: constants.Z_SYNC_FLUSH });
    return prefix.subarray(0, SNIFF_BYTES);
  } catch {
    return null;
  }
}

function wholeMember(entry: Entry, raw: Buffer, budget: Budget): Buffer | string {
  const allowance = MAX_UNPACKED_BYTES - budget.unpacked;
  let content: Buffer;
  if (entry.method === STORED) {
    content = raw;
  } else {
    try {
      content = inflateRawSync(raw, { maxOutputLength: Math.max(1, allowance) });
    } catch {
      return TOO_BIG;
    }
  }
  budget.unpacked += content.length;
  return budget.unpacked > MAX_UNPACKED_BYTES ? TOO_BIG : content;
}

/** Every entry of the central directory, or null when it cannot be read whole. */
function readEntries(archive: Buffer): Entry[] | null {
  const eocd = findEndOfCentralDirectory(archive);
  if (eocd < 0) return null;
  const count = archive.readUInt16LE(eocd + 10);
  const offset = archive.readUInt32LE(eocd + 16);
  if (offset === 0xffffffff || count === 0xffff) return null;
  const entries: Entry[] = [];
  let position = offset;
  for (let i = 0; i < count; i += 1) {
    if (position + 46 > eocd || archive.readUInt32LE(position) !== CENTRAL_DIRECTORY_ENTRY) return null;
    const nameLength = archive.readUInt16LE(position + 28);
    const extraLength = archive.readUInt16LE(position + 30);
    const commentLength = archive.readUInt16LE(position + 32);
    const compressedSize = archive.readUInt32LE(position + 20);
    const localHeaderOffset = archive.readUInt32LE(position + 42);
    if (compressedSize === 0xffffffff || localHeaderOffset === 0xffffffff) return null;
    entries.push({
      name: archive.toString('utf8', position + 46, position + 46 + nameLength),
      flags: archive.readUInt16LE(position + 8),
      method: archive.readUInt16LE(position + 10),
      compressedSize,
      localHeaderOffset,
    });
    position += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function findEndOfCentralDirectory(archive: Buffer): number {
  const lowest = Math.max(0, archive.length - 22 - 0xffff);
  for (let position = archive.length - 22; position >= lowest; position -= 1) {
    if (archive.readUInt32LE(position) === END_OF_CENTRAL_DIRECTORY) return position;
  }
  return -1;
}
