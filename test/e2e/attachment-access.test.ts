import { randomUUID } from 'node:crypto';
import { type Pool } from 'pg';
import { MAX_ATTACHMENTS } from '../../apps/api/src/messages/message.dto';
import { type AppStack, startAppStack } from '../support/api-stack';
import { waitForDelivery } from '../support/announcements';
import { request, type RunningApi } from '../support/http';
import {
  createSection,
  createSectionFixture,
  createUsers,
  linkGuardians,
  type SectionFixture,
  signInAs,
} from '../support/roster-factory';
import { EICAR } from '../support/samples';
import {
  attachmentTestEnv,
  removeTestStorage,
  describeAttachment,
  download,
  issueLink,
  upload,
  waitForStatus,
} from '../support/attachments';
import { minimalDocx, minimalPdf, minimalPng } from '../support/sample-files';

/**
 * Who may obtain a download link, decided against the current roster through the messages and
 * announcements that carry the file: the uploader and the readers of a carrying item may; a student
 * of another section, a guardian of an unrelated student and a user of another district may not, and
 * see no trace of the file (404). Links expire, and each works for its own file only.
 */
describe('attachment access through messages and announcements', () => {
  const env = attachmentTestEnv('att-access');
  let stack: AppStack;
  let api: RunningApi;
  let pool: Pool;
  let section: SectionFixture;
  const tokens: Record<string, string> = {};
  const worksheet = minimalPdf('Worksheet 4');
  const diagram = minimalPng([10, 120, 200]);
  let worksheetId: string;
  let diagramId: string;

  beforeAll(async () => {
    stack = await startAppStack({ overrides: env.overrides });
    ({ api, pool } = stack);
    section = await createSectionFixture(pool, { students: 2 });
    const { districtId, schoolId } = section;
    const [otherTeacher] = await createUsers(pool, districtId, 'teacher', 1, schoolId);
    const [otherStudent] = await createUsers(pool, districtId, 'student', 1, schoolId);
    const [unrelatedGuardian] = await createUsers(pool, districtId, 'guardian', 1);
    const [admin] = await createUsers(pool, districtId, 'district_admin', 1, schoolId);
    await createSection(pool, districtId, schoolId, { teachers: [otherTeacher!], students: [otherStudent!] });
    await linkGuardians(pool, districtId, [
      { guardianId: unrelatedGuardian!.id, studentId: otherStudent!.id },
    ]);
    const foreign = await createSectionFixture(pool, { students: 1 });
    const people: [string, string, string][] = [
      ['teacher', districtId, section.teachers[0]!.id],
      ['student', districtId, section.students[0]!.id],
      ['classmate', districtId, section.students[1]!.id],
      ['guardian', districtId, section.guardians[0]!.id],
      ['otherTeacher', districtId, otherTeacher!.id],
      ['otherSectionStudent', districtId, otherStudent!.id],
      ['unrelatedGuardian', districtId, unrelatedGuardian!.id],
      ['admin', districtId, admin!.id],
      ['otherDistrictTeacher', foreign.districtId, foreign.teachers[0]!.id],
    ];
    for (const [label, district, userId] of people) tokens[label] = await signInAs(pool, district, userId);

    worksheetId = (await upload(api.baseUrl, tokens.teacher!, worksheet, 'worksheet.pdf')).body.id!;
    diagramId = (await upload(api.baseUrl, tokens.teacher!, diagram, 'diagram.png')).body.id!;
    await waitForStatus(api.baseUrl, tokens.teacher!, worksheetId, 'clean');
    await waitForStatus(api.baseUrl, tokens.teacher!, diagramId, 'clean');

    const posted = await request<{ id: string }>(
      api.baseUrl,
      'POST',
      `/v1/sections/${section.sectionId}/announcements`,
      { token: tokens.teacher, json: { body: 'Worksheet for Monday', attachmentIds: [worksheetId] } },
    );
    expect(posted.status).toBe(202);
    await waitForDelivery(api.baseUrl, tokens.teacher!, posted.body.id);

    const conversation = await request<{ id: string }>(api.baseUrl, 'POST', '/v1/conversations', {
      token: tokens.teacher,
      json: { participantId: section.students[0]!.id },
    });
    const sent = await request(api.baseUrl, 'POST', `/v1/conversations/${conversation.body.id}/messages`, {
      token: tokens.teacher,
      json: { body: 'Here is the diagram', attachmentIds: [diagramId] },
    });
    expect(sent.status).toBe(201);
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    removeTestStorage(env);
  });

  it.each([
    ['a student who received the announcement', 'student'],
    ['a guardian of a student who received it', 'guardian'],
    ['the uploader', 'teacher'],
  ])(
    'when %s asks for a link to the announced file, then it downloads byte-identical',
    async (_who, label) => {
      const link = await issueLink(api.baseUrl, tokens[label]!, worksheetId);
      expect(link.status).toBe(201);
      const file = await download(api.baseUrl, link.body.url);
      expect(file.status).toBe(200);
      expect(file.bytes.equals(worksheet)).toBe(true);
    },
  );

  it('when the student of a message asks for a link to its file, then it downloads byte-identical', async () => {
    const link = await issueLink(api.baseUrl, tokens.student!, diagramId);
    expect(link.status).toBe(201);
    expect((await download(api.baseUrl, link.body.url)).bytes.equals(diagram)).toBe(true);
  });

  it.each([
    ['a student of another section', 'otherSectionStudent'],
    ['a guardian of an unrelated student', 'unrelatedGuardian'],
    ['a teacher of another section', 'otherTeacher'],
    ['a user of another district', 'otherDistrictTeacher'],
  ])('when %s asks for either file, then it does not exist for them (404)', async (_who, label) => {
    for (const id of [worksheetId, diagramId]) {
      const link = await issueLink(api.baseUrl, tokens[label]!, id);
      expect({ id, status: link.status }).toEqual({ id, status: 404 });
      expect((await describeAttachment(api.baseUrl, tokens[label]!, id)).status).toBe(404);
    }
  });

  it('when a classmate who is not in the conversation asks for the message file, then it is 404', async () => {
    expect((await issueLink(api.baseUrl, tokens.classmate!, diagramId)).status).toBe(404);
    expect((await issueLink(api.baseUrl, tokens.classmate!, worksheetId)).status).toBe(201);
  });

  it('when a recipient looks at a carried file, then they see its status and metadata', async () => {
    const seen = await describeAttachment(api.baseUrl, tokens.guardian!, worksheetId);
    expect(seen.status).toBe(200);
    expect(seen.body).toEqual(
      expect.objectContaining({ id: worksheetId, status: 'clean', filename: 'worksheet.pdf' }),
    );
  });

  it('when a link has expired, then it no longer downloads (401)', async () => {
    const link = await issueLink(api.baseUrl, tokens.guardian!, worksheetId);
    expect((await download(api.baseUrl, link.body.url)).status).toBe(200);
    await pool.query(
      `UPDATE download_links SET expires_at = now() - interval '1 second'
       WHERE attachment_id = $1 AND user_id = $2`,
      [worksheetId, section.guardians[0]!.id],
    );
    const expired = await download(api.baseUrl, link.body.url);
    expect(expired.status).toBe(401);
    expect(JSON.parse(expired.bytes.toString()).error.code).toBe('UNAUTHENTICATED');
  });

  it('when a link is used for another attachment, then it fails (401) and reveals nothing', async () => {
    const link = await issueLink(api.baseUrl, tokens.student!, worksheetId);
    const forged = link.body.url.replace(worksheetId, diagramId);
    expect(forged).not.toBe(link.body.url);
    const res = await download(api.baseUrl, forged);
    expect(res.status).toBe(401);
    expect(res.bytes.includes(diagram.subarray(0, 16))).toBe(false);
    expect((await download(api.baseUrl, link.body.url)).status).toBe(200);
  });

  it('when the link holder leaves the section, then their unexpired link stops working at once', async () => {
    const [leaver] = await createUsers(pool, section.districtId, 'student', 1, section.schoolId);
    await pool.query(
      `INSERT INTO section_memberships (district_id, section_id, user_id, role) VALUES ($1, $2, $3, 'student')`,
      [section.districtId, section.sectionId, leaver!.id],
    );
    await pool.query(
      `INSERT INTO deliveries (announcement_id, recipient_id, district_id)
      SELECT announcement_id, $1, district_id FROM announcement_attachments WHERE attachment_id = $2`,
      [leaver!.id, worksheetId],
    );
    const token = await signInAs(pool, section.districtId, leaver!.id);
    const link = await issueLink(api.baseUrl, token, worksheetId);
    expect(link.status).toBe(201);
    await pool.query('DELETE FROM section_memberships WHERE user_id = $1', [leaver!.id]);
    expect((await download(api.baseUrl, link.body.url)).status).toBe(404);
    expect((await issueLink(api.baseUrl, token, worksheetId)).status).toBe(404);
  });

  it('when a district admin reviews the conversation carrying a file, then a link is issued and audited', async () => {
    const link = await issueLink(api.baseUrl, tokens.admin!, diagramId);
    expect(link.status).toBe(201);
    const { rows } = await pool.query<{ action: string }>(
      'SELECT action FROM audit_events WHERE district_id = $1 AND target_id = $2',
      [section.districtId, diagramId],
    );
    expect(rows).toEqual([{ action: 'admin.attachment_link_issued' }]);
  });

  const sendWith = async (attachmentIds: readonly string[]) => {
    const conversation = await request<{ id: string }>(api.baseUrl, 'POST', '/v1/conversations', {
      token: tokens.teacher,
      json: { participantId: section.students[1]!.id },
    });
    const stored = async () =>
      Number(
        (
          await pool.query<{ count: string }>('SELECT count(*) FROM messages WHERE conversation_id = $1', [
            conversation.body.id,
          ])
        ).rows[0]!.count,
      );
    const before = await stored();
    const sent = await request<{ error?: { code: string } }>(
      api.baseUrl,
      'POST',
      `/v1/conversations/${conversation.body.id}/messages`,
      { token: tokens.teacher, json: { body: 'Borrowed file', attachmentIds } },
    );
    return { status: sent.status, code: sent.body.error?.code, messagesAdded: (await stored()) - before };
  };

  it("when someone else's upload is attached to a message, then 400 VALIDATION_FAILED, nothing is sent, and the file stays hidden", async () => {
    const docx = await upload(api.baseUrl, tokens.otherTeacher!, minimalDocx(), 'plan.docx');
    expect(await sendWith([docx.body.id!])).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
      messagesAdded: 0,
    });
    expect((await issueLink(api.baseUrl, tokens.classmate!, docx.body.id!)).status).toBe(404);
  });

  it("when another district's upload, an unknown id or one's own quarantined upload is attached, then 400 VALIDATION_FAILED and nothing is sent", async () => {
    const foreign = await upload(
      api.baseUrl,
      tokens.otherDistrictTeacher!,
      minimalPdf('Elsewhere'),
      'other.pdf',
    );
    const infected = await upload(api.baseUrl, tokens.teacher!, EICAR, 'eicar.txt');
    expect((await waitForStatus(api.baseUrl, tokens.teacher!, infected.body.id!, 'quarantined')).status).toBe(
      'quarantined',
    );
    for (const refused of [foreign.body.id!, randomUUID(), infected.body.id!]) {
      expect({ refused, ...(await sendWith([worksheetId, refused])) }).toEqual({
        refused,
        status: 400,
        code: 'VALIDATION_FAILED',
        messagesAdded: 0,
      });
    }
  });

  it('when more files than a message may carry are attached, then 400 VALIDATION_FAILED and nothing is sent', async () => {
    const ids = [worksheetId, ...Array.from({ length: MAX_ATTACHMENTS }, () => randomUUID())];
    expect(await sendWith(ids)).toEqual({ status: 400, code: 'VALIDATION_FAILED', messagesAdded: 0 });
  });
});
