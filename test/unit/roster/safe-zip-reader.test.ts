import { crc32 } from 'node:zlib';
import { zipSync } from 'fflate';
import { openZipArchive, unsafePathReason } from '../../../libs/domain/roster/safe-zip-reader';

const LIMITS = { maxUncompressedBytes: 1024 * 1024, maxEntries: 10 };

/**
 * A stored single-entry archive written the way zip64 writers do: 32-bit size and offset fields set to
 * 0xFFFFFFFF with the real values in extra field 0x0001, and optionally a zip64 end of central directory.
 */
function zip64Archive(name: string, content: Uint8Array, zip64EndRecord: boolean): Uint8Array {
  const nameBytes = new TextEncoder().encode(name);
  const crc = crc32(content) >>> 0;
  const parts: Uint8Array[] = [];
  const block = (size: number, fill: (view: DataView) => void) => {
    const bytes = new Uint8Array(size);
    fill(new DataView(bytes.buffer));
    parts.push(bytes);
    return bytes;
  };

  block(30, (view) => {
    view.setUint32(0, 0x04034b50, true);
    view.setUint16(4, 45, true);
    view.setUint32(14, crc, true);
    view.setUint32(18, 0xffffffff, true);
    view.setUint32(22, 0xffffffff, true);
    view.setUint16(26, nameBytes.length, true);
    view.setUint16(28, 20, true);
  });
  parts.push(nameBytes);
  block(20, (view) => {
    view.setUint16(0, 0x0001, true);
    view.setUint16(2, 16, true);
    view.setBigUint64(4, BigInt(content.length), true);
    view.setBigUint64(12, BigInt(content.length), true);
  });
  parts.push(content);
  const centralOffset = parts.reduce((sum, part) => sum + part.length, 0);

  block(46, (view) => {
    view.setUint32(0, 0x02014b50, true);
    view.setUint16(4, 45, true);
    view.setUint16(6, 45, true);
    view.setUint32(16, crc, true);
    view.setUint32(20, 0xffffffff, true);
    view.setUint32(24, 0xffffffff, true);
    view.setUint16(28, nameBytes.length, true);
    view.setUint16(30, 28, true);
    view.setUint32(42, 0xffffffff, true);
  });
  parts.push(nameBytes);
  block(28, (view) => {
    view.setUint16(0, 0x0001, true);
    view.setUint16(2, 24, true);
    view.setBigUint64(4, BigInt(content.length), true);
    view.setBigUint64(12, BigInt(content.length), true);
    view.setBigUint64(20, 0n, true);
  });
  const centralSize = 46 + nameBytes.length + 28;

  if (zip64EndRecord) {
    const recordOffset = centralOffset + centralSize;
    block(56, (view) => {
      view.setUint32(0, 0x06064b50, true);
      view.setBigUint64(4, 44n, true);
      view.setBigUint64(24, 1n, true);
      view.setBigUint64(32, 1n, true);
      view.setBigUint64(40, BigInt(centralSize), true);
      view.setBigUint64(48, BigInt(centralOffset), true);
    });
    block(20, (view) => {
      view.setUint32(0, 0x07064b50, true);
      view.setBigUint64(8, BigInt(recordOffset), true);
      view.setUint32(16, 1, true);
    });
  }
  block(22, (view) => {
    view.setUint32(0, 0x06054b50, true);
    view.setUint16(8, zip64EndRecord ? 0xffff : 1, true);
    view.setUint16(10, zip64EndRecord ? 0xffff : 1, true);
    view.setUint32(12, centralSize, true);
    view.setUint32(16, zip64EndRecord ? 0xffffffff : centralOffset, true);
  });

  const archive = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    archive.set(part, offset);
    offset += part.length;
  }
  return archive;
}

describe('openZipArchive', () => {
  it.each([[false], [true]])(
    'when sizes and offsets live in zip64 fields (zip64 end record: %s), then the entry is read',
    (endRecord) => {
      const content = new TextEncoder().encode('propertyName,value\r\n');

      const opened = openZipArchive(zip64Archive('manifest.csv', content, endRecord), LIMITS);

      if (!opened.ok) throw new Error(JSON.stringify(opened.errors));
      expect(opened.archive.entryNames).toEqual(['manifest.csv']);
      expect(new TextDecoder().decode(opened.archive.read('manifest.csv'))).toBe('propertyName,value\r\n');
    },
  );

  it('when an archive has more entries than allowed, then it is refused before any entry is read', () => {
    const files = Object.fromEntries(
      Array.from({ length: 11 }, (_, index) => [`f${index}.csv`, new Uint8Array([65])]),
    );

    const opened = openZipArchive(zipSync(files), LIMITS);

    expect(opened.ok).toBe(false);
    if (!opened.ok) expect(opened.errors[0].message).toMatch(/11 entries, more than the limit of 10/);
  });

  it('when the archive holds folders, then they are listed but not readable as files', () => {
    const opened = openZipArchive(
      zipSync({ 'docs/': new Uint8Array(0), 'a.csv': new Uint8Array([65]) }),
      LIMITS,
    );

    if (!opened.ok) throw new Error(JSON.stringify(opened.errors));
    expect(opened.archive.has('docs/')).toBe(false);
    expect(opened.archive.has('a.csv')).toBe(true);
  });
});

describe('unsafePathReason', () => {
  it.each([
    ['users.csv', null],
    ['export/users.csv', null],
    ['..hidden.csv', null],
    ['../users.csv', "contains a '..' segment"],
    ['a/../../users.csv', "contains a '..' segment"],
    ['a/..', "contains a '..' segment"],
    ['/users.csv', 'is an absolute path'],
    ['C:users.csv', 'starts with a drive letter'],
    ['a\\users.csv', 'contains a backslash'],
    ['users.csv\0.txt', 'contains a NUL character'],
    ['', 'is empty'],
  ])('when an entry is named %j, then the verdict is %j', (name, reason) => {
    expect(unsafePathReason(name)).toBe(reason);
  });
});
