import { type Pool } from 'pg';
import { TemporalClientService } from '../../apps/api/src/temporal/temporal-client.service';
import { workflowIds } from '../../libs/adapters/temporal/workflow-safe/workflow-ids';
import { type AppStack, startAppStack } from '../support/api-stack';
import { request, type RunningApi } from '../support/http';
import { waitFor } from '../support/processes';
import { createSectionFixture, createUsers, type SectionFixture, signInAs } from '../support/roster-factory';
import {
  attachmentTestEnv,
  download,
  issueLink,
  removeTestStorage,
  upload,
  waitForStatus,
} from '../support/attachments';
import { minimalPdf } from '../support/sample-files';

const STUDENTS = 10_000;
const RECIPIENTS = 2 * STUDENTS;

jest.setTimeout(240_000);

interface ErrorBody {
  error: { code: string; message: string };
}

/**
 * DESIGN.md invariant 11: an announcement sent from a hijacked account is withdrawn in one step,
 * even while its fan-out to 20,000 recipients is still writing: the fan-out stops, nothing is delivered
 * after the retraction, recipients get 404 and no longer list it, and its file links stop working.
 */
describe('announcement retraction', () => {
  const env = attachmentTestEnv('retraction');
  let stack: AppStack;
  let api: RunningApi;
  let pool: Pool;
  let section: SectionFixture;
  let teacherToken: string;
  let adminToken: string;
  let adminId: string;

  const deliveries = async (announcementId: string) =>
    (
      await pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM deliveries WHERE announcement_id = $1',
        [announcementId],
      )
    ).rows[0]!.n;
  const post = (body: string, attachmentIds: string[] = []) =>
    request<{ id: string; workflowId: string }>(
      api.baseUrl,
      'POST',
      `/v1/sections/${section.sectionId}/announcements`,
      {
        token: teacherToken,
        json: { body, attachmentIds },
      },
    );
  const retract = (token: string, announcementId: string, reason = 'Sent from a compromised account') =>
    request<ErrorBody & { status?: string }>(
      api.baseUrl,
      'POST',
      `/v1/admin/announcements/${announcementId}/retract`,
      {
        token,
        json: { reason },
      },
    );

  beforeAll(async () => {
    stack = await startAppStack({ overrides: env.overrides });
    ({ api, pool } = stack);
    section = await createSectionFixture(pool, { students: STUDENTS });
    teacherToken = await signInAs(pool, section.districtId, section.teachers[0]!.id);
    const [admin] = await createUsers(pool, section.districtId, 'district_admin', 1, section.schoolId);
    adminId = admin!.id;
    adminToken = await signInAs(pool, section.districtId, adminId);
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    removeTestStorage(env);
  });

  it('when an admin retracts mid fan-out, then delivery stops, nothing is delivered after it, and recipients lose it and its file', async () => {
    const file = await upload(api.baseUrl, teacherToken, minimalPdf('Field trip form'), 'form.pdf');
    await waitForStatus(api.baseUrl, teacherToken, file.body.id!, 'clean');
    const posted = await post('Field trip on Friday', [file.body.id!]);
    expect(posted.status).toBe(202);
    const announcementId = posted.body.id;

    // Hold the fan-out mid-way, deterministically: as soon as the first batch has landed, a SHARE lock on
    // the deliveries table makes every later batch's INSERT wait. The retraction commits meanwhile; the
    // held batches then run with a snapshot that sees it, and write nothing.
    while ((await deliveries(announcementId)) === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    const holder = await pool.connect();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE deliveries IN SHARE MODE');
    const atRetraction = await deliveries(announcementId);
    const retracted = await retract(adminToken, announcementId);
    await holder.query('COMMIT');
    holder.release();
    expect(retracted.status).toBe(202);
    expect(retracted.body.status).toBe('retracted');
    expect(atRetraction).toBeLessThan(RECIPIENTS);

    const handle = api.app
      .get(TemporalClientService)
      .client.workflow.getHandle(workflowIds.announcement(announcementId));
    await waitFor(
      'the fan-out to stop',
      async () => {
        const { status } = await handle.describe();
        return status.name === 'RUNNING' ? undefined : status.name;
      },
      60_000,
    ).then((status) => expect(status).toBe('CANCELLED'));

    // Nothing was delivered after the retraction, and the fan-out wrote nothing more once stopped.
    expect(await deliveries(announcementId)).toBe(atRetraction);
    const { rows } = await pool.query<{ status: string }>(
      'SELECT status::text FROM announcements WHERE id = $1',
      [announcementId],
    );
    expect(rows[0]!.status).toBe('retracted');

    // Recipients who did receive it: 404 on reads, replies and links, and it is gone from their list.
    const { rows: reached } = await pool.query<{ recipient_id: string }>(
      'SELECT recipient_id FROM deliveries WHERE announcement_id = $1 LIMIT 3',
      [announcementId],
    );
    for (const { recipient_id: recipientId } of reached) {
      const token = await signInAs(pool, section.districtId, recipientId);
      const read = await request<ErrorBody>(api.baseUrl, 'GET', `/v1/announcements/${announcementId}`, {
        token,
      });
      expect({ status: read.status, code: read.body.error.code }).toEqual({ status: 404, code: 'NOT_FOUND' });
      const listed = await request<{ items: { id: string }[] }>(api.baseUrl, 'GET', '/v1/announcements', {
        token,
      });
      expect(listed.body.items.map((a) => a.id)).not.toContain(announcementId);
      const reply = await request(api.baseUrl, 'POST', `/v1/announcements/${announcementId}/replies`, {
        token,
        json: { body: 'ok' },
      });
      expect(reply.status).toBe(404);
      expect((await issueLink(api.baseUrl, token, file.body.id!)).status).toBe(404);
    }

    // The author still sees it, marked retracted.
    const authorView = await request<{ status: string }>(
      api.baseUrl,
      'GET',
      `/v1/announcements/${announcementId}`,
      {
        token: teacherToken,
      },
    );
    expect(authorView.status).toBe(200);
    expect(authorView.body.status).toBe('retracted');
  });

  it('when a link was issued before the retraction, then it stops working', async () => {
    const file = await upload(api.baseUrl, teacherToken, minimalPdf('Permission slip'), 'slip.pdf');
    await waitForStatus(api.baseUrl, teacherToken, file.body.id!, 'clean');
    const posted = await post('Permission slip attached', [file.body.id!]);
    const announcementId = posted.body.id;
    const student = section.students[0]!;
    await waitFor(
      'the student to receive it',
      async () => {
        const { rows } = await pool.query(
          'SELECT 1 FROM deliveries WHERE announcement_id = $1 AND recipient_id = $2',
          [announcementId, student.id],
        );
        return rows.length ? true : undefined;
      },
      // Within one start-to-close of the planning activity (test/e2e/fanout-crash.test.ts says why).
      60_000,
    );
    const studentToken = await signInAs(pool, section.districtId, student.id);
    const link = await issueLink(api.baseUrl, studentToken, file.body.id!);
    expect(link.status).toBe(201);
    expect((await download(api.baseUrl, link.body.url)).status).toBe(200);

    expect((await retract(adminToken, announcementId)).status).toBe(202);
    expect((await download(api.baseUrl, link.body.url)).status).not.toBe(200);
    expect((await download(api.baseUrl, link.body.url)).status).toBe(404);
  });

  it('when a retraction is repeated, made by a teacher, or names nothing, then it is refused; the step is audited and alerted', async () => {
    const posted = await post('A second note');
    const announcementId = posted.body.id;
    expect((await retract(teacherToken, announcementId)).status).toBe(403);
    expect((await retract(adminToken, announcementId, '')).status).toBe(400);
    expect((await retract(adminToken, '00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await retract(adminToken, announcementId)).status).toBe(202);
    const again = await retract(adminToken, announcementId);
    expect({ status: again.status, code: again.body.error.code }).toEqual({
      status: 409,
      code: 'ALREADY_RETRACTED',
    });

    const { rows: audit } = await pool.query<{ action: string; actor_id: string }>(
      `SELECT action, actor_id FROM audit_events WHERE district_id = $1 AND target_id = $2`,
      [section.districtId, announcementId],
    );
    expect(audit).toEqual([{ action: 'announcement.retracted', actor_id: adminId }]);
    const alerts = await request<{ items: { kind: string; details: Record<string, unknown> }[] }>(
      api.baseUrl,
      'GET',
      '/v1/admin/alerts',
      { token: adminToken },
    );
    expect(
      alerts.body.items.filter(
        (a) => a.kind === 'announcement_retracted' && a.details.announcementId === announcementId,
      ),
    ).toHaveLength(1);
  });
});
