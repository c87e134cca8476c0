/**
 * Byte-level forgeries of a zip's directory, for tests of the archive defences: what an attacker
 * writes by hand, not what any zip tool would produce.
 */

const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;

interface EntryPositions {
  central: number;
  local: number;
}

function findEntry(zip: Uint8Array, name: string): EntryPositions {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const wanted = new TextEncoder().encode(name);
  for (let position = 0; position + 46 <= zip.length; position++) {
    if (view.getUint32(position, true) !== CENTRAL_SIGNATURE) continue;
    const nameLength = view.getUint16(position + 28, true);
    const entryName = zip.subarray(position + 46, position + 46 + nameLength);
    if (nameLength === wanted.length && entryName.every((byte, index) => byte === wanted[index])) {
      const local = view.getUint32(position + 42, true);
      if (view.getUint32(local, true) !== LOCAL_SIGNATURE) throw new Error('unexpected zip layout');
      return { central: position, local };
    }
  }
  throw new Error(`no central directory entry ${name}`);
}

export function withDeclaredSize(zip: Uint8Array, name: string, uncompressedSize: number): Uint8Array {
  const copy = zip.slice();
  const { central, local } = findEntry(copy, name);
  const view = new DataView(copy.buffer);
  view.setUint32(central + 24, uncompressedSize, true);
  view.setUint32(local + 22, uncompressedSize, true);
  return copy;
}

export function withCorruptCrc(zip: Uint8Array, name: string): Uint8Array {
  const copy = zip.slice();
  const { central } = findEntry(copy, name);
  const view = new DataView(copy.buffer);
  view.setUint32(central + 16, view.getUint32(central + 16, true) ^ 0xffffffff, true);
  return copy;
}

/** Renames an entry in the central directory, the local header, or both (same length names only). */
export function withEntryRenamed(
  zip: Uint8Array,
  name: string,
  newName: string,
  where: 'central' | 'local' | 'both',
): Uint8Array {
  if (newName.length !== name.length) throw new Error('only same-length renames keep the offsets valid');
  const copy = zip.slice();
  const { central, local } = findEntry(copy, name);
  const bytes = new TextEncoder().encode(newName);
  if (where !== 'local') copy.set(bytes, central + 46);
  if (where !== 'central') copy.set(bytes, local + 30);
  return copy;
}
