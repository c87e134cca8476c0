import fc from 'fast-check';
import { attachmentDisposition } from '../../../libs/attachments/content-disposition';
import {
  declaredExtension,
  displayFilename,
  MAX_FILENAME_BYTES,
  sanitizeFilename,
} from '../../../libs/attachments/filename';

describe('sanitizing file names', () => {
  it.each([
    ['report.pdf', 'pdf', 'report.pdf'],
    ['../../etc/passwd', 'text', 'passwd.txt'],
    ['..\\..\\Windows\\system32\\evil.pdf', 'pdf', 'evil.pdf'],
    ['C:\\Users\\kid\\Desktop\\photo.JPG', 'jpeg', 'photo.jpg'],
    ['bad\u0000na\u0007me\r\n.txt', 'text', 'badname.txt'],
    ['photo\u202egnp.exe', 'png', 'photognp.exe.png'],
    ['invoice.pdf.exe', 'pdf', 'invoice.pdf.exe.pdf'],
    ['homework.docx', 'pdf', 'homework.docx.pdf'],
    ['CON.txt', 'text', '_CON.txt'],
    ['nul', 'text', '_nul.txt'],
    ['com1.report.pdf', 'pdf', '_com1.report.pdf'],
    ['LPT9', 'png', '_LPT9.png'],
    ['  trailing dots... ', 'text', 'trailing dots.txt'],
    ['.hidden', 'text', 'hidden.txt'],
    ['...', 'pdf', 'attachment.pdf'],
    ['', 'zip', 'attachment.zip'],
    ['a<b>c:d"e|f?g*h.pdf', 'pdf', 'a_b_c_d_e_f_g_h.pdf'],
    ['Ünïcödé 日本語.pdf', 'pdf', 'Ünïcödé 日本語.pdf'],
  ] as const)('when the name is %j, then the stored name is %j', (uploaded, kind, expected) => {
    expect(sanitizeFilename(uploaded, kind)).toBe(expected);
  });

  it('when the name is very long, then it is cut to the limit and keeps its extension', () => {
    const name = sanitizeFilename(`${'é'.repeat(500)}.pdf`, 'pdf');
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(MAX_FILENAME_BYTES);
    expect(name.endsWith('.pdf')).toBe(true);
  });

  it('when any name is sanitized, then the result is safe to store and send', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (uploaded) => {
        const name = sanitizeFilename(uploaded, 'pdf');
        // eslint-disable-next-line no-control-regex -- asserting that control characters are gone
        expect(name).not.toMatch(/[/\\<>:"|?*\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
        expect(name).not.toMatch(/^[\s.]|[\s.]$/);
        expect(name.endsWith('.pdf')).toBe(true);
        expect(Buffer.byteLength(name)).toBeLessThanOrEqual(MAX_FILENAME_BYTES);
        expect(name.split('.')[0]).not.toMatch(/^(con|prn|aux|nul|com\d|lpt\d)$/i);
      }),
    );
  });

  it('when the declared name hides a script extension, then the extension a desktop acts on is found', () => {
    expect(declaredExtension('notes.txt.bat')).toBe('bat');
    expect(declaredExtension('notes.BAT. . ')).toBe('bat');
    expect(declaredExtension('dir/x.js\u200b')).toBe('js');
    expect(declaredExtension('README')).toBeNull();
  });

  it('when the name is kept for display, then only NUL is removed and the length is capped', () => {
    expect(displayFilename('../a\u0000b.txt')).toBe('../ab.txt');
    expect([...displayFilename('x'.repeat(1000))]).toHaveLength(255);
  });
});

describe('Content-Disposition', () => {
  it('when the name is ASCII, then both forms carry it', () => {
    expect(attachmentDisposition('report.pdf')).toBe(
      `attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`,
    );
  });

  it('when the name has non-ASCII and quote characters, then filename* is percent-encoded and the fallback is ASCII', () => {
    expect(attachmentDisposition(`Élève's "notes" (1).txt`)).toBe(
      `attachment; filename="_l_ve's _notes_ (1).txt"; filename*=UTF-8''%C3%89l%C3%A8ve%27s%20%22notes%22%20%281%29.txt`,
    );
  });
});
