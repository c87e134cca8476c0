import { randomUUID } from 'node:crypto';
import { FieldCipher } from '../../libs/crypto/envelope';
import { LocalKeyWrapper } from '../../libs/crypto/key-wrapper';
import { type MasterKeyEnv, parseMasterKeyRing } from '../../libs/crypto/master-key-ring';
import { type Database } from '../../libs/db/database';
import { subjectBodyAad } from '../../libs/domain/translation/translation-subject';
import { createSchool, createUser, type TestUser, uniqueSuffix } from './factories';
import { rowsOf } from './database';

/**
 * Messages and announcements as the messaging code stores them (body sealed under the district's data
 * key with AAD `message:<id>` / `announcement:<id>`), written straight to the tables so translation
 * tests depend on nothing but the schema.
 */

export function testFieldCipher(db: Database, keys: MasterKeyEnv): FieldCipher {
  return new FieldCipher(db.dataKeys, new LocalKeyWrapper(parseMasterKeyRing(keys)));
}

export async function createMessage(
  db: Database,
  cipher: FieldCipher,
  input: { districtId: string; sender: TestUser; recipient: TestUser; body: string; sourceLanguage: string },
): Promise<string> {
  const { conversation } = await db
    .forDistrict(input.districtId)
    .conversations.findOrCreate(input.sender.id, input.recipient.id);
  const id = randomUUID();
  const sealed = await cipher.encrypt(input.districtId, input.body, subjectBodyAad({ kind: 'message', id }));
  await rowsOf(db).$executeRaw`
    INSERT INTO messages (id, district_id, conversation_id, sender_id, body_ciphertext, data_key_id, source_language)
    VALUES (${id}::uuid, ${input.districtId}::uuid, ${conversation.id}::uuid, ${input.sender.id}::uuid,
            ${sealed.ciphertext}, ${sealed.dataKeyId}::uuid, ${input.sourceLanguage})`;
  return id;
}

/** An announcement already fanned out: one delivery per recipient. */
export async function createDeliveredAnnouncement(
  db: Database,
  cipher: FieldCipher,
  input: {
    districtId: string;
    author: TestUser;
    recipients: TestUser[];
    body: string;
    sourceLanguage: string;
  },
): Promise<string> {
  const schoolId = await createSchool(db, input.districtId);
  const section = await rowsOf(db).section.create({
    data: { districtId: input.districtId, schoolId, title: `Section ${uniqueSuffix()}` },
    select: { id: true },
  });
  const id = randomUUID();
  const sealed = await cipher.encrypt(
    input.districtId,
    input.body,
    subjectBodyAad({ kind: 'announcement', id }),
  );
  await rowsOf(db).$executeRaw`
    INSERT INTO announcements (id, district_id, section_id, author_id, body_ciphertext, data_key_id, source_language, status)
    VALUES (${id}::uuid, ${input.districtId}::uuid, ${section.id}::uuid, ${input.author.id}::uuid,
            ${sealed.ciphertext}, ${sealed.dataKeyId}::uuid, ${input.sourceLanguage}, 'delivered')`;
  await rowsOf(db).delivery.createMany({
    data: input.recipients.map((recipient) => ({
      announcementId: id,
      recipientId: recipient.id,
      districtId: input.districtId,
    })),
  });
  return id;
}

/** Guardians of the district with the given preferred languages, one each. */
export function createGuardians(db: Database, districtId: string, languages: string[]): Promise<TestUser[]> {
  return Promise.all(
    languages.map((preferredLanguage) => createUser(db, districtId, { role: 'guardian', preferredLanguage })),
  );
}
