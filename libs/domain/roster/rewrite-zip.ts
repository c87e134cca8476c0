import { strToU8, zipSync, type Zippable } from 'fflate';
import { DEFAULT_MAX_ENTRIES, DEFAULT_MAX_UNCOMPRESSED_BYTES } from './parse-oneroster-zip';
import { openZipArchive } from './safe-zip-reader';

/**
 * Test helpers that edit an export: rewrite one CSV's text (a byte order mark stays in the text as
 * U+FEFF), or add, replace and remove entries. Entry names are written as given, unsafe ones included,
 * so negative tests can build hostile archives.
 */
export function rewriteZip(zip: Uint8Array, file: string, rewrite: (csvText: string) => string): Uint8Array {
  const entries = readAllEntries(zip);
  const original = entries.get(file);
  if (!original) throw new Error(`the archive has no ${file}`);
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(original);
  entries.set(file, strToU8(rewrite(text)));
  return zipEntries(entries);
}

export function replaceZipEntries(
  zip: Uint8Array,
  changes: Record<string, string | Uint8Array | null>,
): Uint8Array {
  const entries = readAllEntries(zip);
  for (const [name, content] of Object.entries(changes)) {
    if (content === null) {
      if (!entries.delete(name)) throw new Error(`the archive has no ${name}`);
    } else {
      entries.set(name, typeof content === 'string' ? strToU8(content) : content);
    }
  }
  return zipEntries(entries);
}

function readAllEntries(zip: Uint8Array): Map<string, Uint8Array> {
  const opened = openZipArchive(zip, {
    maxUncompressedBytes: DEFAULT_MAX_UNCOMPRESSED_BYTES,
    maxEntries: DEFAULT_MAX_ENTRIES,
  });
  if (!opened.ok)
    throw new Error(`unreadable archive: ${opened.errors.map((error) => error.message).join('; ')}`);
  const { archive } = opened;
  return new Map(archive.entryNames.map((name) => [name, archive.read(name)]));
}

function zipEntries(entries: Map<string, Uint8Array>): Uint8Array {
  const files: Zippable = {};
  for (const [name, content] of entries) files[name] = content;
  return zipSync(files, { level: 6 });
}
