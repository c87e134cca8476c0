import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { request } from './http';
import { waitFor } from './processes';

/**
 * Shared by the attachment suites (unit, integration, e2e): an isolated environment per test file
 * (its own task queues and storage directory, so suites running side by side never pick up each
 * other's scans or see each other's blobs) and an HTTP client for multipart uploads whose bytes the
 * test controls exactly (file names with control characters, path parts, encodings).
 */

export interface AttachmentTestEnv {
  storageDir: string;
  /** Overrides for both the API and the worker configuration. */
  overrides: Record<string, string>;
}

export function attachmentTestEnv(label: string, extra: Record<string, string> = {}): AttachmentTestEnv {
  const storageDir = mkdtempSync(join(tmpdir(), `homeroom-${label}-`));
  const suffix = randomUUID().slice(0, 8);
  return {
    storageDir,
    overrides: {
      STORAGE_DIR: storageDir,
      TEMPORAL_TASK_QUEUE: `${label}-${suffix}`,
      TEMPORAL_SCAN_TASK_QUEUE: `${label}-scan-${suffix}`,
      ATTACHMENT_SCAN_RETRY_INITIAL_SECONDS: '0.2',
      ATTACHMENT_SCAN_RETRY_MAX_SECONDS: '1',
      ...extra,
    },
  };
}

/** Removes the suite's storage directory; call it in afterAll. */
export function removeTestStorage(env: AttachmentTestEnv): void {
  rmSync(env.storageDir, { recursive: true, force: true });
}

export interface UploadAnswer {
  status: number;
  body: { id?: string; status?: string; workflowId?: string; error?: { code: string; message: string } };
}

/**
 * POSTs one multipart part named `field` (default `file`). `filenameParameter` is written verbatim
 * into Content-Disposition, e.g. `filename="a.txt"` or `filename*=UTF-8''%07.txt`.
 */
export async function uploadRaw(
  baseUrl: string,
  token: string,
  content: Buffer,
  filenameParameter: string,
  options: { field?: string; partContentType?: string } = {},
): Promise<UploadAnswer> {
  const boundary = `----homeroom${randomUUID().replaceAll('-', '')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="${options.field ?? 'file'}"; ${filenameParameter}\r\n` +
      `Content-Type: ${options.partContentType ?? 'application/octet-stream'}\r\n\r\n`,
    'latin1',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1');
  return postMultipart(baseUrl, token, Buffer.concat([head, content, tail]), boundary);
}

export function upload(baseUrl: string, token: string, content: Buffer, filename: string) {
  return uploadRaw(baseUrl, token, content, `filename*=UTF-8''${encodeURIComponent(filename)}`);
}

export async function postMultipart(
  baseUrl: string,
  token: string,
  body: Buffer,
  boundary: string,
): Promise<UploadAnswer> {
  const res = await fetch(`${baseUrl}/v1/attachments`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': `multipart/form-data; boundary=${boundary}`,
    },
    body,
  });
  return { status: res.status, body: (await res.json()) as UploadAnswer['body'] };
}

export interface AttachmentView {
  id: string;
  filename: string;
  size: number;
  contentType: string;
  sha256: string;
  status: 'scanning' | 'clean' | 'quarantined';
}

export function describeAttachment(baseUrl: string, token: string, id: string) {
  return request<AttachmentView & { error?: { code: string } }>(baseUrl, 'GET', `/v1/attachments/${id}`, {
    token,
  });
}

export async function waitForStatus(
  baseUrl: string,
  token: string,
  id: string,
  status: AttachmentView['status'],
  timeoutMs = 60_000,
): Promise<AttachmentView> {
  return waitFor(
    `attachment ${id} to be ${status}`,
    async () => {
      const res = await describeAttachment(baseUrl, token, id);
      return res.status === 200 && res.body.status === status ? res.body : undefined;
    },
    timeoutMs,
  );
}

export function issueLink(baseUrl: string, token: string, id: string) {
  return request<{ url: string; expiresAt: string; error?: { code: string } }>(
    baseUrl,
    'POST',
    `/v1/attachments/${id}/links`,
    { token },
  );
}

export async function download(baseUrl: string, url: string) {
  const res = await fetch(new URL(url, baseUrl));
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** Every file under the storage directory, as paths relative to it. */
export function storedFiles(storageDir: string): string[] {
  return (readdirSync(storageDir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => relative(storageDir, join(entry.parentPath, entry.name)))
    .sort();
}

export function blobPath(districtId: string, attachmentId: string): string {
  return join('attachments', districtId, `${attachmentId}.hrb`);
}

/** True when any stored file contains `marker`'s bytes. */
export function storageContains(storageDir: string, marker: Buffer): boolean {
  return storedFiles(storageDir).some((file) => readFileSync(join(storageDir, file)).includes(marker));
}
