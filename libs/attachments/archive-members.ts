import {
  openZipArchive,
  type ZipArchive,
  ZipEntryError,
  type ZipProblem,
} from '../domain/zip/safe-zip-reader';
import { type FileKind, SCRIPT_EXTENSIONS } from './allowed-types';
import { declaredExtension } from './filename';
import { SNIFF_BYTES, sniffHead } from './sniff';

/** An archive inside the upload may hold archives of its own, but not archives inside those. */
export const MAX_ARCHIVE_NESTING = 2;
/**
 * Bytes the archives nested in one upload may unpack to: only they are unpacked whole (every other
 * member only as far as its first bytes), so a zip bomb stops here.
 */
export const MAX_UNPACKED_BYTES = 32 * 1024 * 1024;
/** Members (nested ones included) one upload may hold: each costs a little unpacking on the event loop. */
export const MAX_ARCHIVE_MEMBERS = 2_000;
/**
 * Entries the reader lists in one directory: a ZIP's own maximum without zip64. Office documents are
 * judged by their part names, not their members, so only plain archives are held to
 * {@link MAX_ARCHIVE_MEMBERS}.
 */
const MAX_DIRECTORY_ENTRIES = 0xffff;

const EXECUTABLE_MEMBER = 'The archive contains an executable file or a script, which is not accepted.';
const DAMAGED = 'The archive is damaged or cannot be inspected.';
const TOO_BIG = 'The archives inside the archive unpack to too much data, or are damaged.';
/** Scripts that carry no shebang but announce themselves in their first line. */
const SCRIPT_OPENINGS = ['@echo off', '#requires', 'wscript.', 'cscript '];

/**
 * What a ZIP upload is, read with the one ZIP reader (libs/zip/safe-zip-reader.ts): an Office document
 * by its parts (or the OpenDocument kind its head already showed), otherwise a plain archive whose every
 * member passes {@link archiveMemberProblem}; or why it is refused.
 */
export function judgeZipUpload(
  upload: Buffer,
  openDocumentKind: FileKind | null,
): { kind: FileKind } | { refused: string } {
  const opened = openArchive(upload);
  if (!opened.ok) return { refused: refusalOf(opened.problems, 'The archive is damaged or incomplete.') };
  if (openDocumentKind) return { kind: openDocumentKind };
  const office = officeKindOf(opened.archive.entryNames);
  if (office) return { kind: office };
  const problem = inspectArchive(opened.archive, 1, { unpacked: 0, members: 0 });
  return problem ? { refused: problem } : { kind: 'zip' };
}

/**
 * Applies the top-level type rules to every member of a ZIP archive, in memory and without writing
 * anything: a member named like a script, or whose first bytes the sniffer refuses (an executable, a
 * shebang, a type not on the allow-list) or that opens like a batch or PowerShell script, is refused;
 * so is an archive nested deeper than {@link MAX_ARCHIVE_NESTING}, one the reader refuses (encrypted
 * members, unknown compression, names that could escape a folder, a damaged directory), one with more
 * than {@link MAX_ARCHIVE_MEMBERS} files and nested archives that declare or unpack to more than
 * {@link MAX_UNPACKED_BYTES}. Only a member's head is unpacked unless it is itself an archive, which
 * keeps the work per upload small. Text members are judged by their head (the top level checks every
 * byte is UTF-8). Returns the reason for refusal, or null for an acceptable archive. Office and
 * OpenDocument files inside are documents, judged by their type, not opened further.
 */
export function archiveMemberProblem(archive: Buffer): string | null {
  const opened = openArchive(archive);
  if (!opened.ok) return refusalOf(opened.problems, DAMAGED);
  return inspectArchive(opened.archive, 1, { unpacked: 0, members: 0 });
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

interface Budget {
  unpacked: number;
  members: number;
}

/**
 * No limit on what the entries declare: members are read only as far as their heads, and the
 * archives among them within {@link MAX_UNPACKED_BYTES}, checked before each is unpacked.
 */
function openArchive(archive: Uint8Array) {
  return openZipArchive(archive, {
    maxEntries: MAX_DIRECTORY_ENTRIES,
    maxUncompressedBytes: Number.POSITIVE_INFINITY,
  });
}

function refusalOf(problems: readonly ZipProblem[], damaged: string): string {
  const kinds = new Set(problems.map((problem) => problem.kind));
  if (kinds.has('encrypted')) return 'The archive contains encrypted files, which cannot be inspected.';
  if (kinds.has('unsupported-method'))
    return 'The archive uses a compression method that cannot be inspected.';
  if (kinds.has('too-many-entries')) return `The archive holds more than ${MAX_ARCHIVE_MEMBERS} files.`;
  if (kinds.has('unsafe-name') || kinds.has('duplicate-name')) {
    return 'The archive contains a file name that could write outside its folder, or a name twice.';
  }
  return damaged;
}

function inspectArchive(archive: ZipArchive, depth: number, budget: Budget): string | null {
  budget.members += archive.entries.length;
  if (budget.members > MAX_ARCHIVE_MEMBERS)
    return `The archive holds more than ${MAX_ARCHIVE_MEMBERS} files.`;
  for (const entry of archive.entries) {
    if (entry.isDirectory) continue;
    const extension = declaredExtension(entry.name.split('/').pop() ?? '');
    if (extension !== null && SCRIPT_EXTENSIONS.has(extension)) return EXECUTABLE_MEMBER;
    const problem = memberProblem(archive, entry.name, entry.uncompressedSize, depth, budget);
    if (problem) return problem;
  }
  return null;
}

function memberProblem(
  archive: ZipArchive,
  name: string,
  declaredSize: number,
  depth: number,
  budget: Budget,
): string | null {
  let head: Uint8Array;
  try {
    head = archive.readHead(name, SNIFF_BYTES);
  } catch (error) {
    if (error instanceof ZipEntryError) return DAMAGED;
    throw error;
  }
  if (head.length === 0) return null;
  const verdict = sniffHead(Buffer.from(head.buffer, head.byteOffset, head.byteLength));
  if (verdict.family === 'refused')
    return `The archive contains a file that is not accepted: ${verdict.reason}`;
  if (verdict.family === 'text') {
    const opening = Buffer.from(head).toString('utf8').trimStart().toLowerCase();
    return SCRIPT_OPENINGS.some((start) => opening.startsWith(start)) ? EXECUTABLE_MEMBER : null;
  }
  if (verdict.family !== 'zip' || verdict.openDocumentKind) return null;
  // The reader never inflates beyond what an entry declares, so checking the declaration first is
  // enough to keep the nested archives within the budget.
  if (budget.unpacked + declaredSize > MAX_UNPACKED_BYTES) return TOO_BIG;
  let content: Uint8Array;
  try {
    content = archive.read(name);
  } catch (error) {
    if (error instanceof ZipEntryError) return TOO_BIG;
    throw error;
  }
  budget.unpacked += content.length;
  const nested = openArchive(content);
  if (!nested.ok) return refusalOf(nested.problems, DAMAGED);
  if (officeKindOf(nested.archive.entryNames)) return null;
  if (depth >= MAX_ARCHIVE_NESTING)
    return 'Archives nested inside archives inside archives are not accepted.';
  return inspectArchive(nested.archive, depth + 1, budget);
}
