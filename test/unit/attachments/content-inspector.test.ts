import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { zipSync } from 'fflate';
import {
  ACCEPTED_EVENT,
  ContentInspector,
  type InspectedFile,
} from '../../../libs/attachments/content-inspector';
import { minimalDocx, minimalOdt, minimalPdf, minimalPng } from '../../support/sample-files';

interface Outcome {
  result?: InspectedFile;
  error?: Error & { status?: number };
  passedBytes: number;
}

async function inspect(
  content: Buffer,
  options: { declaredName?: string; maxBytes?: number; chunkBytes?: number } = {},
): Promise<Outcome> {
  const inspector = new ContentInspector({
    maxBytes: options.maxBytes ?? 10 * 1024 * 1024,
    declaredName: options.declaredName ?? 'upload',
  });
  const chunkBytes = options.chunkBytes ?? 7_001;
  const chunks: Buffer[] = [];
  for (let i = 0; i < content.length; i += chunkBytes) chunks.push(content.subarray(i, i + chunkBytes));
  let passedBytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      passedBytes += chunk.length;
      callback();
    },
  });
  try {
    await pipeline(Readable.from(chunks), inspector, sink);
    return { result: inspector.result(), passedBytes };
  } catch (error) {
    return { error: error as Error & { status?: number }, passedBytes };
  }
}

describe('inspecting an upload while it streams', () => {
  it('when a PDF streams through, then its kind, size and SHA-256 are recorded and every byte passes', async () => {
    const pdf = minimalPdf();
    const outcome = await inspect(pdf, { chunkBytes: 13 });
    expect(outcome.result).toEqual({
      kind: 'pdf',
      size: pdf.length,
      sha256: createHash('sha256').update(pdf).digest('hex'),
    });
    expect(outcome.passedBytes).toBe(pdf.length);
  });

  it.each([
    ['a DOCX', minimalDocx(), 'docx'],
    ['an ODT', minimalOdt(), 'odt'],
    ['a plain ZIP', Buffer.from(zipSync({ 'a.txt': new Uint8Array([65]) })), 'zip'],
    ['a PNG', minimalPng(), 'png'],
  ])('when %s streams through, then it is recognized as %s', async (_what, content, kind) => {
    expect((await inspect(content)).result?.kind).toBe(kind);
  });

  it('when a large DOCX streams through in chunks, then its directory is read from the kept archive', async () => {
    const big = zipSync({
      '[Content_Types].xml': new TextEncoder().encode('<Types/>'),
      'word/media/noise.bin': [randomBytes(3 * 1024 * 1024), { level: 0 }],
      'word/document.xml': new TextEncoder().encode('<w:document/>'),
    });
    expect((await inspect(Buffer.from(big), { chunkBytes: 65_536 })).result?.kind).toBe('docx');
  });

  it('when a ZIP lacks its central directory, then it is refused as damaged', async () => {
    const zip = Buffer.from(zipSync({ 'a.txt': new TextEncoder().encode('hello') }));
    const outcome = await inspect(zip.subarray(0, zip.length - 22));
    expect(outcome.error?.status).toBe(415);
    expect(outcome.error?.message).toMatch(/damaged/);
  });

  it('when text is valid UTF-8 throughout, then it is text, or CSV when named so', async () => {
    const text = Buffer.from('Übung 1: 2 + 2 = 4\n'.repeat(2_000));
    expect((await inspect(text, { chunkBytes: 333 })).result?.kind).toBe('text');
    expect((await inspect(text, { declaredName: 'grades.CSV' })).result?.kind).toBe('csv');
  });

  it('when text turns binary after the sniffed head, then it is refused at the end', async () => {
    const content = Buffer.concat([Buffer.from('a'.repeat(10_000)), Buffer.from([0x00, 0x01])]);
    expect((await inspect(content)).error?.status).toBe(415);
  });

  it('when text is named like a script, then it is refused before any byte passes', async () => {
    const outcome = await inspect(Buffer.from('echo hello\r\n'.repeat(100)), {
      declaredName: 'homework.txt.bat',
    });
    expect(outcome.error?.status).toBe(415);
    expect(outcome.passedBytes).toBe(0);
  });

  it('when an executable is renamed to an allowed extension, then it is refused before any byte passes', async () => {
    const exe = Buffer.concat([Buffer.from('MZ'), randomBytes(4_096)]);
    const outcome = await inspect(exe, { declaredName: 'worksheet.pdf' });
    expect(outcome.error?.status).toBe(415);
    expect(outcome.passedBytes).toBe(0);
  });

  it('when the upload exceeds the limit, then it fails with 413 before the excess passes', async () => {
    const outcome = await inspect(Buffer.alloc(5_000, 0x61), { maxBytes: 4_096, chunkBytes: 1_000 });
    expect(outcome.error?.status).toBe(413);
    expect(outcome.passedBytes).toBeLessThanOrEqual(4_096);
  });

  it('when the upload is exactly at the limit, then it is accepted', async () => {
    expect((await inspect(Buffer.alloc(4_096, 0x61), { maxBytes: 4_096 })).result?.size).toBe(4_096);
  });

  it('when the upload is empty, then it fails with 400', async () => {
    expect((await inspect(Buffer.alloc(0))).error?.status).toBe(400);
  });
});

describe('announcing acceptance before any byte passes', () => {
  const watch = async (content: Buffer) => {
    const inspector = new ContentInspector({ maxBytes: 1_000_000, declaredName: 'x' });
    const events: string[] = [];
    inspector.on(ACCEPTED_EVENT, () => events.push('accepted'));
    inspector.on('data', () => events.push('data'));
    await pipeline(Readable.from([content]), inspector).catch(() => events.push('error'));
    return events;
  };

  it('when the head is allowed, then "accepted" comes before the first byte', async () => {
    expect((await watch(minimalPdf())).slice(0, 2)).toEqual(['accepted', 'data']);
  });

  it('when the head is refused, then there is no "accepted" and no byte', async () => {
    expect(await watch(Buffer.concat([Buffer.from('MZ'), randomBytes(600)]))).toEqual(['error']);
  });
});
