import { sniffHead, TextValidator } from '../../../libs/attachments/sniff';
import { minimalDocx, minimalOdt, minimalPdf, minimalPng } from '../../support/sample-files';

const bytes = (...values: number[]) => Buffer.from(values);
const latin1 = (s: string) => Buffer.from(s, 'latin1');
const padded = (head: Buffer) => Buffer.concat([head, Buffer.alloc(64, 0x41)]);

describe('sniffing the first bytes of an upload', () => {
  it.each([
    ['a PDF', minimalPdf(), 'pdf'],
    ['a PNG', minimalPng(), 'png'],
    ['a JPEG', padded(bytes(0xff, 0xd8, 0xff, 0xe0, 0, 0x10)), 'jpeg'],
    ['a GIF89a', padded(latin1('GIF89a')), 'gif'],
    ['a GIF87a', padded(latin1('GIF87a')), 'gif'],
    ['a WEBP', padded(latin1('RIFF\x10\x00\x00\x00WEBPVP8 ')), 'webp'],
    ['an RTF', latin1('{\\rtf1\\ansi Hello}'), 'rtf'],
    ['a HEIC', padded(latin1('\x00\x00\x00\x18ftypheic')), 'heic'],
    ['a HEIF (mif1)', padded(latin1('\x00\x00\x00\x18ftypmif1')), 'heic'],
    ['an M4A', padded(latin1('\x00\x00\x00\x20ftypM4A ')), 'm4a'],
    ['an MP4', padded(latin1('\x00\x00\x00\x20ftypisom')), 'mp4'],
    ['an MP3 with ID3', padded(latin1('ID3\x04\x00')), 'mp3'],
    ['an MP3 frame', padded(bytes(0xff, 0xfb, 0x90, 0x64)), 'mp3'],
  ])('when the content is %s, then it is accepted as %s', (_what, head, kind) => {
    expect(sniffHead(head)).toEqual({ family: 'binary', kind });
  });

  it('when the content is a ZIP, then it is a container to inspect further', () => {
    expect(sniffHead(minimalDocx())).toEqual({ family: 'zip', openDocumentKind: null });
  });

  it('when the content is an OpenDocument text, then its mimetype entry names it', () => {
    expect(sniffHead(minimalOdt())).toEqual({ family: 'zip', openDocumentKind: 'odt' });
  });

  it.each([
    ['a Windows executable', padded(latin1('MZ\x90\x00\x03'))],
    ['an ELF binary', padded(bytes(0x7f, 0x45, 0x4c, 0x46, 2, 1, 1))],
    ['a Mach-O binary', padded(bytes(0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1))],
    ['a universal binary or Java class', padded(bytes(0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2))],
    ['a shell script', latin1('#!/bin/sh\nrm -rf ~\n')],
    ['a WebAssembly module', padded(bytes(0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0))],
  ])('when the content is %s, then it is refused as executable', (_what, head) => {
    expect(sniffHead(head)).toEqual({ family: 'refused', reason: expect.stringMatching(/Executable/) });
  });

  it.each([
    ['an OLE2 (legacy Office) file', padded(bytes(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1))],
    ['a gzip file', padded(bytes(0x1f, 0x8b, 0x08, 0x00))],
    ['a 7z archive', padded(bytes(0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c))],
    ['a QuickTime movie', padded(latin1('\x00\x00\x00\x14ftypqt  '))],
    ['an ADTS AAC stream', padded(bytes(0xff, 0xf1, 0x50, 0x80))],
    ['UTF-16 text', Buffer.from('\ufeffhello', 'utf16le')],
    ['text with a NUL', latin1('hello\x00world')],
    ['text with an escape character', latin1('hello\x1b[31mworld')],
    ['invalid UTF-8', bytes(0x68, 0x69, 0xc3, 0x28)],
  ])('when the content is %s, then it is not on the allow-list', (_what, head) => {
    expect(sniffHead(head).family).toBe('refused');
  });

  it.each([
    ['an HTML page', '<!DOCTYPE html><html><script>alert(1)</script>'],
    ['an HTML fragment', '  <script>alert(1)</script>'],
    ['an SVG image', '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'],
    ['an XML document', '<?xml version="1.0"?><a/>'],
  ])('when the content is %s, then markup is refused', (_what, text) => {
    expect(sniffHead(Buffer.from(text))).toEqual({
      family: 'refused',
      reason: expect.stringMatching(/Web pages/),
    });
  });

  it.each([
    ['plain text', 'Field trip on Friday.\r\nBring lunch.\t\n'],
    ['text with a BOM and accents', '\ufeffÉcole: réunion à 18 h — 日本語'],
    ['CSV', 'name,grade\nAda,A\n'],
    ['text starting with a heart', '<3 thanks for the help'],
  ])('when the content is %s, then it is text to validate further', (_what, text) => {
    expect(sniffHead(Buffer.from(text))).toEqual({ family: 'text' });
  });

  it('when the head ends inside a multi-byte character, then it is still text', () => {
    const text = Buffer.from('abc€');
    expect(sniffHead(text.subarray(0, text.length - 1))).toEqual({ family: 'text' });
  });

  it('when there are no bytes, then it is refused as empty', () => {
    expect(sniffHead(Buffer.alloc(0))).toEqual({ family: 'refused', reason: 'The file is empty.' });
  });
});

describe('validating text across chunks', () => {
  it('when a character is split between chunks, then the text is valid', () => {
    const text = Buffer.from('année €');
    const validator = new TextValidator();
    for (let i = 0; i < text.length; i += 1) validator.push(text.subarray(i, i + 1));
    expect(validator.end()).toBeNull();
  });

  it('when a NUL appears after the first chunk, then the text is refused', () => {
    const validator = new TextValidator();
    validator.push(Buffer.from('fine so far\n'));
    validator.push(Buffer.from([0x61, 0x00, 0x62]));
    expect(validator.end()).toMatch(/not accepted/);
  });

  it('when the file ends inside a character, then the text is refused', () => {
    const validator = new TextValidator();
    validator.push(Buffer.from([0x61, 0xe2, 0x82]));
    expect(validator.end()).toMatch(/not accepted/);
  });
});
