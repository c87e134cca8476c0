import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type Pool } from 'pg';
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

jest.setTimeout(120_000);

const WEBHOOK_SECRET = `report-alerts-test-${randomUUID()}`;

interface Alert {
  id: string;
  kind: string;
  messageId: string | null;
  details: Record<string, unknown>;
}

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  answered: number;
}

/** A webhook receiver on loopback: answers 500 to the first post of each alert, then 204. */
async function startReceiver() {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const alertId = (JSON.parse(body) as { alert: { id: string } }).alert.id;
      const seenBefore = received.some((r) => alertIdOf(r) === alertId);
      const answered = seenBefore ? 204 : 500;
      received.push({ headers: req.headers, body, answered });
      res.writeHead(answered).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/homeroom`,
    received,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

function alertIdOf(post: Received): string {
  return (JSON.parse(post.body) as { alert: { id: string } }).alert.id;
}

/** What a receiver does: recompute the HMAC over `<timestamp>.<body>` and compare in constant time. */
function signatureIsValid(post: Received, secret: string): boolean {
  const timestamp = post.headers['x-homeroom-timestamp'];
  const signature = post.headers['x-homeroom-signature'];
  if (typeof timestamp !== 'string' || typeof signature !== 'string') return false;
  const expected = Buffer.from(
    `sha256=${createHmac('sha256', secret).update(`${timestamp}.${post.body}`).digest('hex')}`,
  );
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Reports reach the people who act on them: the district's admins, the admins of the school where the
 * conversation's student is taught (not another school's, even one where the teacher also teaches),
 * and the alert webhook, signed and retried by a workflow when the receiver fails.
 */
describe('message reports', () => {
  let pool: Pool;
  let stack: AppStack;
  let api: RunningApi;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let districtId: string;
  let teacherToken: string;
  let southStudent: { id: string; token: string };
  let northStudent: { id: string; token: string };
  let southSection: string;
  let admins: { district: string; north: string; south: string };

  const call = <T>(token: string, method: string, path: string, json?: unknown) =>
    request<T>(api.baseUrl, method, path, { token, json });
  const alertsOf = async (token: string) => {
    const res = await call<{ items: Alert[] }>(token, 'GET', '/v1/admin/alerts');
    expect(res.status).toBe(200);
    return res.body.items;
  };

  beforeAll(async () => {
    receiver = await startReceiver();
    const webhook = {
      ALERT_WEBHOOK_URL: receiver.url,
      ALERT_WEBHOOK_SECRET: WEBHOOK_SECRET,
      ALERT_WEBHOOK_RETRY_INITIAL_MS: '200',
      ALERT_WEBHOOK_RETRY_MAX_MS: '1000',
    };
    stack = await startAppStack({
      overrides: webhook,
      apiOverrides: { QUOTA_REPORTS_PER_USER_PER_HOUR: '2' },
    });
    ({ api, pool } = stack);

    const district = await createDistrict(pool);
    districtId = district.districtId;
    const north = district.schoolId;
    const south = await createSchool(pool, districtId, 'South');
    // The teacher belongs to the north school and also teaches a section of the south school.
    const [teacher] = await createUsers(pool, districtId, 'teacher', 1, north);
    const [northPupil] = await createUsers(pool, districtId, 'student', 1, north);
    const [southPupil] = await createUsers(pool, districtId, 'student', 1, south);
    await createSection(pool, districtId, north, { teachers: [teacher!], students: [northPupil!] });
    southSection = await createSection(pool, districtId, south, {
      teachers: [teacher!],
      students: [southPupil!],
    });
    const [districtAdmin] = await createUsers(pool, districtId, 'district_admin', 1);
    const [northAdmin] = await createUsers(pool, districtId, 'school_admin', 1, north);
    const [southAdmin] = await createUsers(pool, districtId, 'school_admin', 1, south);
    teacherToken = await signInAs(pool, districtId, teacher!.id);
    southStudent = { id: southPupil!.id, token: await signInAs(pool, districtId, southPupil!.id) };
    northStudent = { id: northPupil!.id, token: await signInAs(pool, districtId, northPupil!.id) };
    admins = {
      district: await signInAs(pool, districtId, districtAdmin!.id),
      north: await signInAs(pool, districtId, northAdmin!.id),
      south: await signInAs(pool, districtId, southAdmin!.id),
    };
  }, 120_000);

  afterAll(async () => {
    await receiver?.close();
    await stack?.stop();
  });

  it("when a student reports a teacher's message, then the district's and the student's school admins see it, another school's admin does not, and the webhook gets it signed after a retry", async () => {
    const { body: conversation } = await call<{ id: string }>(teacherToken, 'POST', '/v1/conversations', {
      participantId: southStudent.id,
    });
    const { body: sent } = await call<{ id: string }>(
      teacherToken,
      'POST',
      `/v1/conversations/${conversation.id}/messages`,
      { body: 'Something inappropriate' },
    );

    const report = await call<{ id: string }>(southStudent.token, 'POST', `/v1/messages/${sent.id}/report`, {
      reason: 'This made me uncomfortable',
    });
    expect(report.status).toBe(201);

    const reported = (items: Alert[]) =>
      items.filter((a) => a.kind === 'message_reported' && a.messageId === sent.id);
    const [forDistrict] = reported(await alertsOf(admins.district));
    expect(forDistrict).toMatchObject({ details: { reportId: report.body.id, reporterId: southStudent.id } });
    expect(reported(await alertsOf(admins.south)).map((a) => a.id)).toEqual([forDistrict!.id]);
    expect(reported(await alertsOf(admins.north))).toEqual([]);

    const posts = await waitFor('the webhook to accept the report', async () => {
      const mine = receiver.received.filter((p) => alertIdOf(p) === forDistrict!.id);
      return mine.some((p) => p.answered === 204) ? mine : undefined;
    });
    expect(posts.map((p) => p.answered)).toEqual([500, 204]);
    for (const post of posts) {
      expect(signatureIsValid(post, WEBHOOK_SECRET)).toBe(true);
      expect(signatureIsValid(post, `${WEBHOOK_SECRET}-other`)).toBe(false);
      const age = Date.now() / 1000 - Number(post.headers['x-homeroom-timestamp']);
      expect(age).toBeGreaterThanOrEqual(-5);
      expect(age).toBeLessThan(60);
    }
    const delivered = JSON.parse(posts[1]!.body) as { alert: Record<string, unknown> };
    expect(delivered.alert).toMatchObject({
      id: forDistrict!.id,
      districtId,
      kind: 'message_reported',
      messageId: sent.id,
    });
    expect(posts[1]!.body).not.toContain('Something inappropriate');
    expect(posts[1]!.body).not.toContain('uncomfortable');
  });

  it("when the teacher also teaches in another school, then that school's admin cannot review the conversation; the student's school admin can", async () => {
    const { body: conversation } = await call<{ id: string }>(teacherToken, 'POST', '/v1/conversations', {
      participantId: southStudent.id,
    });
    const review = (token: string) =>
      call(token, 'GET', `/v1/admin/conversations/${conversation.id}/messages`);

    expect((await review(admins.north)).status).toBe(403);
    expect((await review(admins.south)).status).toBe(200);
    expect((await review(admins.district)).status).toBe(200);
  });

  it("when an admin suspends a student, then the student's school admin sees the alert and the other school's admin does not", async () => {
    const [pupil] = await createUsers(pool, districtId, 'student', 1);
    const south = (
      await pool.query<{ school_id: string }>(
        `SELECT school_id FROM sections s JOIN section_memberships m ON m.section_id = s.id
         WHERE m.user_id = $1`,
        [southStudent.id],
      )
    ).rows[0]!.school_id;
    await createSection(pool, districtId, south, { students: [pupil!] });

    const res = await call(admins.district, 'POST', `/v1/admin/users/${pupil!.id}/suspend`, {
      reason: 'Account used by someone else',
    });
    expect(res.status).toBe(204);

    const suspended = (items: Alert[]) =>
      items.filter((a) => a.kind === 'account_suspended' && a.details.userId === pupil!.id);
    expect(suspended(await alertsOf(admins.district))).toHaveLength(1);
    expect(suspended(await alertsOf(admins.south))).toHaveLength(1);
    expect(suspended(await alertsOf(admins.north))).toEqual([]);
  });

  it("when an admin retracts an announcement of a south section, then the south school's admin sees the alert and the north school's does not", async () => {
    const posted = await call<{ id: string }>(
      teacherToken,
      'POST',
      `/v1/sections/${southSection}/announcements`,
      {
        body: 'Posted from a hijacked account',
      },
    );
    expect(posted.status).toBe(202);

    const retracted = await call(
      admins.district,
      'POST',
      `/v1/admin/announcements/${posted.body.id}/retract`,
      {
        reason: 'Sent by someone else',
      },
    );
    expect(retracted.status).toBe(202);

    const about = (items: Alert[]) =>
      items.filter((a) => a.kind === 'announcement_retracted' && a.details.announcementId === posted.body.id);
    expect(about(await alertsOf(admins.district))).toHaveLength(1);
    expect(about(await alertsOf(admins.south))).toHaveLength(1);
    expect(about(await alertsOf(admins.north))).toEqual([]);
  });

  it("when a north student runs over their report quota, then the north school's admin sees the quota alert and the south school's does not", async () => {
    const { body: conversation } = await call<{ id: string }>(teacherToken, 'POST', '/v1/conversations', {
      participantId: northStudent.id,
    });
    const { body: sent } = await call<{ id: string }>(
      teacherToken,
      'POST',
      `/v1/conversations/${conversation.id}/messages`,
      { body: 'Homework reminder' },
    );
    const report = () =>
      call(northStudent.token, 'POST', `/v1/messages/${sent.id}/report`, { reason: 'Again and again' });

    expect([(await report()).status, (await report()).status, (await report()).status]).toEqual([
      201, 201, 429,
    ]);

    const quota = (items: Alert[]) =>
      items.filter((a) => a.kind === 'quota_exceeded' && a.details.userId === northStudent.id);
    expect(quota(await alertsOf(admins.district))).toHaveLength(1);
    expect(quota(await alertsOf(admins.north))).toHaveLength(1);
    expect(quota(await alertsOf(admins.south))).toEqual([]);
  });
});
