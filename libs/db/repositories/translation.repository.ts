import { advisoryXactLock } from '../advisory-lock';
import { type DbClient } from '../db-client';
import { type SubjectKind, type TranslationSubject } from '../../domain/translation/translation-subject';

export interface TranslationSource {
  bodyCiphertext: Uint8Array;
  dataKeyId: string;
  sourceLanguage: string;
}

export interface StoredTranslation {
  subjectId: string;
  language: string;
  bodyCiphertext: Uint8Array;
  dataKeyId: string;
  provider: string;
}

export interface NewTranslation {
  subject: TranslationSubject;
  language: string;
  bodyCiphertext: Buffer;
  dataKeyId: string;
  provider: string;
}

const STORED = {
  messageId: true,
  announcementId: true,
  language: true,
  bodyCiphertext: true,
  dataKeyId: true,
  provider: true,
} as const;

/**
 * Translations of messages and announcements, at most one per (subject, language): the unique indexes
 * on (message_id, language) and (announcement_id, language) are the arbiter, and inserts never fail on
 * them. Also reads what translating needs from the subjects themselves: the sealed body, its language,
 * and the preferred languages of its readers.
 */
export class TranslationRepository {
  constructor(
    private readonly prisma: DbClient,
    private readonly districtId: string,
  ) {}

  async exists(subject: TranslationSubject, language: string): Promise<boolean> {
    const row = await this.prisma.translation.findFirst({
      where: { districtId: this.districtId, ...subjectColumn(subject), language },
      select: { id: true },
    });
    return row !== null;
  }

  async find(subject: TranslationSubject, language: string): Promise<StoredTranslation | null> {
    const row = await this.prisma.translation.findFirst({
      where: { districtId: this.districtId, ...subjectColumn(subject), language },
      select: STORED,
    });
    return row ? toStored(row) : null;
  }

  /** The translations into `language` of several subjects of one kind (a page of messages), in one query. */
  async findMany(kind: SubjectKind, ids: readonly string[], language: string): Promise<StoredTranslation[]> {
    if (ids.length === 0) return [];
    const rows = await this.prisma.translation.findMany({
      where: {
        districtId: this.districtId,
        language,
        ...(kind === 'message' ? { messageId: { in: [...ids] } } : { announcementId: { in: [...ids] } }),
      },
      select: STORED,
    });
    return rows.map(toStored);
  }

  /** Inserts unless the (subject, language) translation exists; true when this call stored it. */
  async insertIfAbsent(translation: NewTranslation): Promise<boolean> {
    const { subject } = translation;
    const messageId = subject.kind === 'message' ? subject.id : null;
    const announcementId = subject.kind === 'announcement' ? subject.id : null;
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`
      INSERT INTO translations (id, district_id, message_id, announcement_id, language, body_ciphertext, data_key_id, provider)
      VALUES (gen_random_uuid(), ${this.districtId}::uuid, ${messageId}::uuid, ${announcementId}::uuid,
              ${translation.language}, ${translation.bodyCiphertext}, ${translation.dataKeyId}::uuid,
              ${translation.provider})
      ON CONFLICT DO NOTHING
      RETURNING id`;
    return rows.length === 1;
  }

  /**
   * Serializes translating one (subject, language) across processes until the surrounding transaction
   * ends: whoever waits here finds the first one's row afterwards. Only meaningful inside a transaction.
   */
  async lockForTranslating(subject: TranslationSubject, language: string): Promise<void> {
    await advisoryXactLock(this.prisma, translationLockKey(this.districtId, subject, language));
  }

  /** The sealed body and its language, or null when the subject is not in this district. */
  async findSource(subject: TranslationSubject): Promise<TranslationSource | null> {
    const select = { bodyCiphertext: true, dataKeyId: true, sourceLanguage: true } as const;
    const where = { id: subject.id, districtId: this.districtId };
    return subject.kind === 'message'
      ? this.prisma.message.findFirst({ where, select })
      : this.prisma.announcement.findFirst({ where, select });
  }

  /**
   * The distinct preferred languages of the subject's active readers: an announcement's recipients (its
   * deliveries), a message's other participant.
   */
  async readerLanguages(subject: TranslationSubject): Promise<string[]> {
    const rows =
      subject.kind === 'announcement'
        ? await this.prisma.$queryRaw<{ language: string }[]>`
            SELECT DISTINCT u.preferred_language AS language
            FROM deliveries d
            JOIN users u ON u.id = d.recipient_id AND u.district_id = d.district_id
            WHERE d.announcement_id = ${subject.id}::uuid AND d.district_id = ${this.districtId}::uuid
              AND u.active`
        : await this.prisma.$queryRaw<{ language: string }[]>`
            SELECT DISTINCT u.preferred_language AS language
            FROM messages m
            JOIN conversations c ON c.id = m.conversation_id AND c.district_id = m.district_id
            JOIN users u ON u.id IN (c.participant_low_id, c.participant_high_id) AND u.id <> m.sender_id
              AND u.district_id = m.district_id
            WHERE m.id = ${subject.id}::uuid AND m.district_id = ${this.districtId}::uuid
              AND u.active`;
    return rows.map((row) => row.language).sort();
  }
}

/** The text whose hashtextextended(…, 0) is the advisory lock key of one (subject, language). */
export function translationLockKey(
  districtId: string,
  subject: TranslationSubject,
  language: string,
): string {
  return `translation:${districtId}:${subject.kind}:${subject.id}:${language}`;
}

function subjectColumn(subject: TranslationSubject): { messageId: string } | { announcementId: string } {
  return subject.kind === 'message' ? { messageId: subject.id } : { announcementId: subject.id };
}

function toStored(row: {
  messageId: string | null;
  announcementId: string | null;
  language: string;
  bodyCiphertext: Uint8Array;
  dataKeyId: string;
  provider: string;
}): StoredTranslation {
  return {
    subjectId: (row.messageId ?? row.announcementId)!,
    language: row.language,
    bodyCiphertext: row.bodyCiphertext,
    dataKeyId: row.dataKeyId,
    provider: row.provider,
  };
}
