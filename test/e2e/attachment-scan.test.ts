import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type Pool } from 'pg';
import { zipSync } from 'fflate';
import { type AppStack, startAppStack } from '../support/api-stack';
import { request, type RunningApi } from '../support/http';
import { waitFor } from '../support/processes';
import {
  createDistrict,
  createSchool,
  createSection,
  createUsers,
  signInAs,
} from '../support/roster-factory';
import { EICAR } from '../support/samples';
import {
  attachmentTestEnv,
  removeTestStorage,
  blobPath,
  describeAttachment,
  download,
  issueLink,
  storageContains,
  storedFiles,
  upload,
  waitForStatus,
} from '../support/attachments';
import { minimalDocx, minimalPdf, minimalPng } from '../support/sample-files';

const TESTFILES_DIR = '/usr/share/clamav-testfiles';

interface AlertPage {
  items: {
    id: string;
    kind: string;
    severity: string;
    attachmentId: string | null;
    details: Record<string, unknown>;
  }[];
}

/**
 * Upload → scan → release or quarantine, through the real API, Temporal, the worker and clamd with
 * the project's signatures. The storage directory is this suite's own, so what is (not) in it is
 * exactly what these uploads left there.
 */
describe('attachment scan and release', () => {
  const env = attachmentTestEnv('att-scan');
  const webhookPosts: { alert: { id: string; kind: string; attachmentId: string } }[] = [];
  let webhook: Server;
  let stack: AppStack;
  let api: RunningApi;
  let pool: Pool;
  let districtId: string;
  let teacherToken: string;
  let adminToken: string;
  let schoolId: string;

  beforeAll(async () => {
    webhook = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        webhookPosts.push(JSON.parse(body) as (typeof webhookPosts)[number]);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
    const webhookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/alerts`;
    stack = await startAppStack({
      overrides: env.overrides,
      workerOverrides: {
        ALERT_WEBHOOK_URL: webhookUrl,
        ALERT_WEBHOOK_SECRET: 'attachment-scan-test-webhook-secret-32',
      },
    });
    ({ api, pool } = stack);
    const district = await createDistrict(pool);
    districtId = district.districtId;
    schoolId = district.schoolId;
    const [teacher] = await createUsers(pool, districtId, 'teacher', 1, district.schoolId);
    const [admin] = await createUsers(pool, districtId, 'district_admin', 1, district.schoolId);
    teacherToken = await signInAs(pool, districtId, teacher!.id);
    adminToken = await signInAs(pool, districtId, admin!.id);
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await new Promise((resolve) => webhook?.close(resolve));
    removeTestStorage(env);
  });

  const alertsOf = async (attachmentId: string) => {
    const { rows } = await pool.query<{ kind: string; details: { signature?: string } }>(
      'SELECT kind, details FROM security_alerts WHERE attachment_id = $1',
      [attachmentId],
    );
    return rows;
  };

  it.each([
    ['a PDF', minimalPdf(), 'worksheet.pdf', 'application/pdf'],
    ['a PNG', minimalPng(), 'diagram.png', 'image/png'],
    [
      'a DOCX',
      minimalDocx(),
      'essay.docx',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    ],
  ])(
    'when %s is uploaded, then it ends clean and downloads byte-identical with safe headers',
    async (_what, content, filename, contentType) => {
      const uploaded = await upload(api.baseUrl, teacherToken, content, filename);
      expect(uploaded.status).toBe(202);
      expect(uploaded.body).toEqual({
        id: expect.any(String),
        status: 'scanning',
        workflowId: `attachment-scan-${uploaded.body.id}`,
      });
      const id = uploaded.body.id!;

      const clean = await waitForStatus(api.baseUrl, teacherToken, id, 'clean');
      expect(clean).toEqual({
        id,
        filename,
        size: content.length,
        contentType,
        sha256: createHash('sha256').update(content).digest('hex'),
        status: 'clean',
      });

      const link = await issueLink(api.baseUrl, teacherToken, id);
      expect(link.status).toBe(201);
      expect(link.body.url).toMatch(new RegExp(`/v1/attachments/${id}/content/[A-Za-z0-9_-]{43}$`));
      const expiresIn = new Date(link.body.expiresAt).getTime() - Date.now();
      expect(expiresIn).toBeGreaterThan(0);
      expect(expiresIn).toBeLessThanOrEqual(300_000);

      const file = await download(api.baseUrl, link.body.url);
      expect(file.status).toBe(200);
      expect(file.bytes.equals(content)).toBe(true);
      expect(file.headers.get('content-type')).toBe(contentType);
      expect(file.headers.get('content-disposition')).toBe(
        `attachment; filename="${filename}"; filename*=UTF-8''${filename}`,
      );
      expect(file.headers.get('x-content-type-options')).toBe('nosniff');
      expect(file.headers.get('cache-control')).toBe('no-store');
      expect(existsSync(join(env.storageDir, blobPath(districtId, id)))).toBe(true);
    },
  );

  it.each([
    ['the EICAR file as .txt', EICAR, 'eicar.txt'],
    ['EICAR inside a zip', Buffer.from(zipSync({ 'homework/notes.txt': EICAR })), 'homework.zip'],
  ])(
    'when %s is uploaded, then it ends quarantined, its blob is gone, and exactly one alert is raised, listed and posted',
    async (_what, content, filename) => {
      const uploaded = await upload(api.baseUrl, teacherToken, content, filename);
      expect(uploaded.status).toBe(202);
      const id = uploaded.body.id!;

      const quarantined = await waitForStatus(api.baseUrl, teacherToken, id, 'quarantined');
      expect(quarantined.status).toBe('quarantined');
      expect(existsSync(join(env.storageDir, blobPath(districtId, id)))).toBe(false);
      expect(storedFiles(env.storageDir).filter((f) => f.includes(id))).toEqual([]);

      const alerts = await alertsOf(id);
      expect(alerts).toEqual([
        {
          kind: 'attachment_quarantined',
          details: expect.objectContaining({ signature: expect.stringMatching(/EICAR/) }),
        },
      ]);
      const { rows: stored } = await pool.query<{ signature: string; storage_key: string | null }>(
        'SELECT signature, storage_key FROM attachments WHERE id = $1',
        [id],
      );
      expect(stored[0]).toEqual({ signature: expect.stringMatching(/EICAR/), storage_key: null });
      const { rows: audit } = await pool.query<{ action: string }>(
        'SELECT action FROM audit_events WHERE district_id = $1 AND target_id = $2',
        [districtId, id],
      );
      expect(audit).toEqual([{ action: 'attachment.quarantined' }]);

      const link = await issueLink(api.baseUrl, teacherToken, id);
      expect(link.status).toBe(410);
      expect(link.body.error?.code).toBe('QUARANTINED');

      const listed = await request<AlertPage>(api.baseUrl, 'GET', '/v1/admin/alerts', { token: adminToken });
      expect(listed.status).toBe(200);
      expect(listed.body.items.filter((a) => a.attachmentId === id)).toEqual([
        expect.objectContaining({ kind: 'attachment_quarantined', severity: 'critical' }),
      ]);
      await waitFor('the webhook to receive the alert', async () =>
        webhookPosts.some((p) => p.alert.attachmentId === id) ? true : undefined,
      );
      expect(webhookPosts.filter((p) => p.alert.attachmentId === id)).toHaveLength(1);
    },
  );

  it("when a file is quarantined, then school admins of the uploader's school see its alert, and admins of another school or of none do not", async () => {
    const otherSchoolId = await createSchool(pool, districtId, 'Other School');
    // No school on the account: the uploader belongs to the school through an active section only.
    const [sectionTeacher] = await createUsers(pool, districtId, 'teacher', 1, null);
    await createSection(pool, districtId, schoolId, { teachers: [sectionTeacher!] });
    const [ownSchoolAdmin] = await createUsers(pool, districtId, 'school_admin', 1, schoolId);
    const [otherSchoolAdmin] = await createUsers(pool, districtId, 'school_admin', 1, otherSchoolId);
    const [schoolLessAdmin] = await createUsers(pool, districtId, 'school_admin', 1, null);
    const alertsFor = async (userId: string) => {
      const token = await signInAs(pool, districtId, userId);
      const listed = await request<AlertPage>(api.baseUrl, 'GET', '/v1/admin/alerts', { token });
      expect(listed.status).toBe(200);
      return listed.body.items.map((alert) => alert.attachmentId);
    };

    const uploaderToken = await signInAs(pool, districtId, sectionTeacher!.id);
    const uploaded = await upload(api.baseUrl, uploaderToken, EICAR, 'x.txt');
    const id = uploaded.body.id!;
    await waitForStatus(api.baseUrl, uploaderToken, id, 'quarantined');

    expect(await alertsFor(ownSchoolAdmin!.id)).toContain(id);
    expect(await alertsFor(otherSchoolAdmin!.id)).toEqual([]);
    expect(await alertsFor(schoolLessAdmin!.id)).toEqual([]);
    const districtWide = await request<AlertPage>(api.baseUrl, 'GET', '/v1/admin/alerts', {
      token: adminToken,
    });
    expect(districtWide.body.items.map((alert) => alert.attachmentId)).toContain(id);
  });

  it("when every file of Debian's clamav-testfiles is uploaded, then each is refused or quarantined and none is released", async () => {
    const files = readdirSync(TESTFILES_DIR).filter((f) => !f.endsWith('.md'));
    expect(files.length).toBeGreaterThan(30);
    const outcomes: Record<string, string> = {};
    const scanning: { file: string; id: string }[] = [];
    for (const file of files) {
      const uploaded = await upload(api.baseUrl, teacherToken, readFileSync(join(TESTFILES_DIR, file)), file);
      if (uploaded.status === 202) scanning.push({ file, id: uploaded.body.id! });
      else outcomes[file] = `${uploaded.status} ${uploaded.body.error?.code}`;
    }
    for (const { file, id } of scanning) {
      const final = await waitFor(`${file} to be decided`, async () => {
        const res = await describeAttachment(api.baseUrl, teacherToken, id);
        return res.body.status === 'scanning' ? undefined : res.body.status;
      });
      outcomes[file] = final;
      expect(await alertsOf(id)).toHaveLength(final === 'quarantined' ? 1 : 0);
    }
    expect(Object.keys(outcomes).sort()).toEqual(files.sort());
    expect(
      Object.entries(outcomes).filter(
        ([, outcome]) => outcome !== 'quarantined' && outcome !== '415 UNSUPPORTED_MEDIA_TYPE',
      ),
    ).toEqual([]);
    expect(Object.values(outcomes)).toContain('quarantined');
  }, 240_000);

  it('when files are stored, then the raw storage directory never holds their plaintext', async () => {
    const marker = `HOMEROOM-PLAINTEXT-MARKER-${randomUUID()}`;
    const text = Buffer.from(`Permission slip\n${marker}\n`.repeat(50));
    const pdf = minimalPdf(marker);
    const ids: string[] = [];
    for (const [content, name] of [
      [text, 'slip.txt'],
      [pdf, 'slip.pdf'],
    ] as const) {
      const uploaded = await upload(api.baseUrl, teacherToken, content, name);
      expect(uploaded.status).toBe(202);
      ids.push(uploaded.body.id!);
    }
    for (const id of ids) await waitForStatus(api.baseUrl, teacherToken, id, 'clean');
    for (const id of ids) expect(existsSync(join(env.storageDir, blobPath(districtId, id)))).toBe(true);
    expect(storageContains(env.storageDir, Buffer.from(marker))).toBe(false);
    expect(storageContains(env.storageDir, Buffer.from('Permission slip'))).toBe(false);
  });
});
