import { randomUUID } from 'node:crypto';
import { type Pool } from 'pg';
import { attachOwnAttachments, MAX_ATTACHMENTS_PER_ITEM } from '../../libs/attachments/attach';
import { Database } from '../../libs/db/database';
import { createTestPool, rowsOf, testDatabaseUrl } from '../support/database';
import { createDistrict, createUsers } from '../support/roster-factory';

/** attachOwnAttachments, the function messages and announcements call to carry uploads. */
describe('attaching uploads to a message', () => {
  let pool: Pool;
  let db: Database;
  let districtId: string;
  let otherDistrictId: string;
  let teacherId: string;
  let colleagueId: string;
  let messageId: string;

  const newAttachment = async (uploaderId: string, status = 'clean', district = districtId) => {
    const id = randomUUID();
    await pool.query(
      `INSERT INTO attachments (id, district_id, uploader_id, filename, original_filename, content_type, size, sha256, status)
       VALUES ($1, $2, $3, 'a.pdf', 'a.pdf', 'application/pdf', 1, 'ab', $4::attachment_status)`,
      [id, district, uploaderId, status],
    );
    return id;
  };
  const carried = async () =>
    (
      await pool.query<{ attachment_id: string }>(
        'SELECT attachment_id FROM message_attachments WHERE message_id = $1 ORDER BY attachment_id',
        [messageId],
      )
    ).rows.map((r) => r.attachment_id);
  const attach = (uploaderId: string, ids: string[]) =>
    rowsOf(db).$transaction((tx) =>
      attachOwnAttachments(tx, districtId, uploaderId, ids, { kind: 'message', messageId }),
    );

  beforeAll(async () => {
    pool = createTestPool();
    db = Database.open(testDatabaseUrl(), { poolSize: 2 });
    const district = await createDistrict(pool);
    districtId = district.districtId;
    otherDistrictId = (await createDistrict(pool)).districtId;
    [teacherId, colleagueId] = (await createUsers(pool, districtId, 'teacher', 2, district.schoolId)).map(
      (u) => u.id,
    ) as [string, string];
    const [student] = await createUsers(pool, districtId, 'student', 1, district.schoolId);
    const [low, high] = [teacherId, student!.id].sort();
    const conversation = await pool.query<{ id: string }>(
      `INSERT INTO conversations (district_id, participant_low_id, participant_high_id) VALUES ($1, $2, $3) RETURNING id`,
      [districtId, low, high],
    );
    const key = await pool.query<{ id: string }>(
      `INSERT INTO data_keys (district_id, master_key_id, wrapped_key) VALUES ($1, 'test', '\\x00') RETURNING id`,
      [districtId],
    );
    const message = await pool.query<{ id: string }>(
      `INSERT INTO messages (district_id, conversation_id, sender_id, body_ciphertext, data_key_id, source_language)
       VALUES ($1, $2, $3, '\\x00', $4, 'en') RETURNING id`,
      [districtId, conversation.rows[0]!.id, teacherId, key.rows[0]!.id],
    );
    messageId = message.rows[0]!.id;
  });

  afterAll(async () => {
    await db?.disconnect();
    await pool?.end();
  });

  it('when the uploader attaches their own files, then each is carried once, duplicates included', async () => {
    const [a, b] = [await newAttachment(teacherId), await newAttachment(teacherId, 'scanning')];
    expect(await attach(teacherId, [a, b, a.toUpperCase()])).toEqual([a, b]);
    expect(await attach(teacherId, [a])).toEqual([a]);
    expect(await carried()).toEqual([a, b].sort());
  });

  it("when someone else's, another district's or an unknown file is named, then nothing is attached (400)", async () => {
    const before = await carried();
    const own = await newAttachment(teacherId);
    for (const foreign of [
      await newAttachment(colleagueId),
      await newAttachment(teacherId, 'clean', otherDistrictId),
      randomUUID(),
    ]) {
      await expect(attach(teacherId, [own, foreign])).rejects.toMatchObject({ status: 400 });
    }
    expect(await carried()).toEqual(before);
  });

  it('when a quarantined file is named, then it is refused with 410 QUARANTINED', async () => {
    const quarantined = await newAttachment(teacherId, 'quarantined');
    await expect(attach(teacherId, [quarantined])).rejects.toMatchObject({
      status: 410,
      code: 'QUARANTINED',
    });
  });

  it('when more files than allowed are named, then the request is refused (400)', async () => {
    const ids = Array.from({ length: MAX_ATTACHMENTS_PER_ITEM + 1 }, () => randomUUID());
    await expect(attach(teacherId, ids)).rejects.toMatchObject({ status: 400 });
  });
});
