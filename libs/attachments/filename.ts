import { canonicalExtensionOf, extensionsOf, type FileKind } from './allowed-types';

/** Stored names stay well below every common file system's 255-byte limit, extension included. */
export const MAX_FILENAME_BYTES = 150;
/** The uploaded name is kept for display only, cut to this many characters. */
export const MAX_ORIGINAL_FILENAME_CHARS = 255;

const FALLBACK_NAME = 'attachment';
// eslint-disable-next-line no-control-regex -- the point is to remove control characters
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
/** Bidirectional overrides and zero-width marks disguise extensions ("photo\u202Egpj.exe"). */
const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;
const WINDOWS_RESERVED_CHARACTERS = /[<>:"/\\|?*]/g;
const WINDOWS_RESERVED_NAMES = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])$/i;

/**
 * A file name that is safe to write into Content-Disposition and onto a family's disk: no path parts,
 * no control or invisible characters, no characters or device names Windows reserves, no leading or
 * trailing dots and spaces, at most {@link MAX_FILENAME_BYTES} bytes — and an extension that matches
 * the sniffed content, appended when the uploaded name carries another one, so the operating system
 * opens the file with the program its content is for.
 */
export function sanitizeFilename(uploaded: string, kind: FileKind): string {
  const cleaned = lastPathSegment(uploaded.normalize('NFC'))
    .replace(CONTROL, '')
    .replace(INVISIBLE, '')
    .replace(WINDOWS_RESERVED_CHARACTERS, '_')
    .replace(/\s+/g, ' ')
    .replace(/^[\s.]+|[\s.]+$/g, '');
  const extension = extensionOf(cleaned);
  const keepsExtension = extension !== null && extensionsOf(kind).includes(extension);
  const stem = keepsExtension ? cleaned.slice(0, -(extension.length + 1)) : cleaned;
  const suffix = `.${keepsExtension ? extension : canonicalExtensionOf(kind)}`;
  let safeStem = truncateUtf8(stem, MAX_FILENAME_BYTES - Buffer.byteLength(suffix)).replace(/[\s.]+$/, '');
  if (safeStem === '') safeStem = FALLBACK_NAME;
  const deviceName = safeStem.split('.')[0] ?? '';
  if (WINDOWS_RESERVED_NAMES.test(deviceName.trim())) safeStem = `_${safeStem}`;
  return `${safeStem}${suffix}`;
}

/** The extension a desktop would act on: after the last dot, once invisible tricks are undone. */
export function declaredExtension(uploaded: string): string | null {
  const name = lastPathSegment(uploaded.normalize('NFC'))
    .replace(CONTROL, '')
    .replace(INVISIBLE, '')
    .replace(/[\s.]+$/, '');
  return extensionOf(name);
}

/** What the uploader called the file, for display only: without NUL (PostgreSQL refuses it), cut short. */
export function displayFilename(uploaded: string): string {
  return [...uploaded.replaceAll('\0', '')].slice(0, MAX_ORIGINAL_FILENAME_CHARS).join('');
}

function lastPathSegment(name: string): string {
  const segments = name.split(/[/\\]/);
  return segments[segments.length - 1] ?? '';
}

function extensionOf(name: string): string | null {
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || dot === name.length - 1) return null;
  return name.slice(dot + 1).toLowerCase();
}

function truncateUtf8(value: string, maxBytes: number): string {
  let result = '';
  let bytes = 0;
  for (const character of value) {
    const size = Buffer.byteLength(character);
    if (bytes + size > maxBytes) break;
    result += character;
    bytes += size;
  }
  return result;
}
