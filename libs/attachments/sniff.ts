import { type FileKind } from './allowed-types';

/** How many leading bytes the sniffer looks at (fewer when the file is shorter). */
export const SNIFF_BYTES = 512;

/**
 * The verdict on a file's first bytes. Binary formats are decided here; a ZIP container is told apart
 * (DOCX, XLSX, PPTX, plain ZIP) only once its central directory has streamed past, and text only once
 * every byte has proven to be valid UTF-8.
 */
export type HeadVerdict =
  | { family: 'binary'; kind: FileKind }
  | { family: 'zip'; openDocumentKind: FileKind | null }
  | { family: 'text' }
  | { family: 'refused'; reason: string };

const EXECUTABLE = 'Executable files and scripts are not accepted.';
const NOT_ALLOWED = 'This file type is not accepted.';

const EXECUTABLE_MAGICS: readonly Buffer[] = [
  Buffer.from('MZ', 'latin1'),
  Buffer.from([0x7f, 0x45, 0x4c, 0x46]),
  Buffer.from([0xfe, 0xed, 0xfa, 0xce]),
  Buffer.from([0xfe, 0xed, 0xfa, 0xcf]),
  Buffer.from([0xce, 0xfa, 0xed, 0xfe]),
  Buffer.from([0xcf, 0xfa, 0xed, 0xfe]),
  // Mach-O universal binary and Java class file share this magic; neither is welcome.
  Buffer.from([0xca, 0xfe, 0xba, 0xbe]),
  Buffer.from('#!', 'latin1'),
  Buffer.from('dex\n', 'latin1'),
  Buffer.from([0x00, 0x61, 0x73, 0x6d]),
];

const HEIC_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1']);
const M4A_BRANDS = new Set(['M4A ', 'M4B ']);
const MP4_BRANDS = new Set([
  'isom',
  'iso2',
  'iso3',
  'iso4',
  'iso5',
  'iso6',
  'mp41',
  'mp42',
  'avc1',
  'M4V ',
  'dash',
  'mmp4',
  'MSNV',
  'f4v ',
]);

const OPEN_DOCUMENT_KINDS: Readonly<Record<string, FileKind>> = {
  'application/vnd.oasis.opendocument.text': 'odt',
  'application/vnd.oasis.opendocument.spreadsheet': 'ods',
  'application/vnd.oasis.opendocument.presentation': 'odp',
};

export function sniffHead(head: Buffer): HeadVerdict {
  if (head.length === 0) return { family: 'refused', reason: 'The file is empty.' };
  if (EXECUTABLE_MAGICS.some((magic) => startsWith(head, magic))) {
    return { family: 'refused', reason: EXECUTABLE };
  }
  const binary = binaryKind(head);
  if (binary) return { family: 'binary', kind: binary };
  if (
    startsWith(head, Buffer.from([0x50, 0x4b, 0x03, 0x04])) ||
    startsWith(head, Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  ) {
    return { family: 'zip', openDocumentKind: openDocumentKind(head) };
  }
  return textVerdict(head);
}

function binaryKind(head: Buffer): FileKind | null {
  if (startsWith(head, Buffer.from('%PDF-', 'latin1'))) return 'pdf';
  if (startsWith(head, Buffer.from('{\\rtf', 'latin1'))) return 'rtf';
  if (startsWith(head, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (startsWith(head, Buffer.from([0xff, 0xd8, 0xff]))) return 'jpeg';
  if (
    startsWith(head, Buffer.from('GIF87a', 'latin1')) ||
    startsWith(head, Buffer.from('GIF89a', 'latin1'))
  ) {
    return 'gif';
  }
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') return 'webp';
  if (ascii(head, 4, 8) === 'ftyp') return isoMediaKind(ascii(head, 8, 12));
  if (startsWith(head, Buffer.from('ID3', 'latin1')) || isMpegAudioFrame(head)) return 'mp3';
  return null;
}

function isoMediaKind(brand: string): FileKind | null {
  if (HEIC_BRANDS.has(brand)) return 'heic';
  if (M4A_BRANDS.has(brand)) return 'm4a';
  if (MP4_BRANDS.has(brand)) return 'mp4';
  return null;
}

/**
 * An MPEG audio frame header: 11 sync bits, a version that is not reserved, layer III (the "3" of
 * MP3), and a bitrate and sample rate that are not the reserved values. Requiring layer III keeps
 * look-alikes out: a UTF-16 byte order mark (FF FE) reads as layer I, ADTS (AAC) has layer bits 00.
 */
function isMpegAudioFrame(head: Buffer): boolean {
  if (head.length < 4) return false;
  const [b0, b1, b2] = [head[0] as number, head[1] as number, head[2] as number];
  if (b0 !== 0xff || (b1 & 0xe0) !== 0xe0) return false;
  const version = (b1 >> 3) & 0x03;
  const layer = (b1 >> 1) & 0x03;
  const bitrate = b2 >> 4;
  const sampleRate = (b2 >> 2) & 0x03;
  return version !== 0x01 && layer === 0x01 && bitrate !== 0x0f && sampleRate !== 0x03;
}

/**
 * OpenDocument files begin with an uncompressed entry named `mimetype` whose content is the type
 * (ODF 1.2 part 3, section 3.3), so the first local header names the kind.
 */
function openDocumentKind(head: Buffer): FileKind | null {
  if (head.length < 30) return null;
  const method = head.readUInt16LE(8);
  const compressedSize = head.readUInt32LE(18);
  const nameLength = head.readUInt16LE(26);
  const extraLength = head.readUInt16LE(28);
  const nameEnd = 30 + nameLength;
  if (method !== 0 || ascii(head, 30, nameEnd) !== 'mimetype') return null;
  const contentStart = nameEnd + extraLength;
  return OPEN_DOCUMENT_KINDS[ascii(head, contentStart, contentStart + compressedSize)] ?? null;
}

/**
 * Text is accepted only as UTF-8 without NUL or other control characters (tab, line breaks and form
 * feed aside), and not when it is a markup document a browser would render with scripts: HTML, SVG
 * and XML are refused. A multi-byte character cut at the end of the head is fine here; the whole file
 * is validated while it streams ({@link TextValidator}).
 */
function textVerdict(head: Buffer): HeadVerdict {
  let decoded: string;
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
  } catch {
    return { family: 'refused', reason: NOT_ALLOWED };
  }
  if (hasForbiddenControl(decoded)) return { family: 'refused', reason: NOT_ALLOWED };
  if (/^\s*<[A-Za-z!?]/.test(decoded)) {
    return { family: 'refused', reason: 'Web pages, SVG and XML documents are not accepted.' };
  }
  return { family: 'text' };
}

// eslint-disable-next-line no-control-regex -- the point is to find control characters
const FORBIDDEN_CONTROL = /[\u0000-\u0008\u000b\u000e-\u001f\u007f]/;

export function hasForbiddenControl(text: string): boolean {
  return FORBIDDEN_CONTROL.test(text);
}

/**
 * Validates a text file chunk by chunk: UTF-8 throughout (a character may span chunks), and no
 * control characters anywhere. `end` reports a character cut off at the end of the file.
 */
export class TextValidator {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private failure: string | null = null;

  push(chunk: Uint8Array): void {
    if (this.failure) return;
    try {
      if (hasForbiddenControl(this.decoder.decode(chunk, { stream: true }))) this.failure = NOT_ALLOWED;
    } catch {
      this.failure = NOT_ALLOWED;
    }
  }

  /** Null when the whole file is acceptable text, else the reason to refuse it. */
  end(): string | null {
    if (this.failure) return this.failure;
    try {
      this.decoder.decode();
    } catch {
      return NOT_ALLOWED;
    }
    return null;
  }
}

function startsWith(bytes: Buffer, prefix: Buffer): boolean {
  return bytes.length >= prefix.length && bytes.subarray(0, prefix.length).equals(prefix);
}

function ascii(bytes: Buffer, start: number, end: number): string {
  return end <= bytes.length ? bytes.toString('latin1', start, end) : '';
}
