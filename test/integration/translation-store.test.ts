import { type FieldCipher } from '../../libs/crypto/envelope';
import { DecryptionError } from '../../libs/crypto/errors';
import { LocalPseudoTranslationProvider } from '../../libs/adapters/translate/local-pseudo.provider';
import { translateOnce, type TranslationDeps } from '../../libs/translation/translate-once';
import {
  TranslationProviderUnavailableError,
  TranslationSubjectNotFoundError,
  UnsupportedLanguagePairError,
} from '../../libs/domain/translation/translation-errors';
import {
  type TranslateOptions,
  type TranslationProvider,
} from '../../libs/adapters/translate/translation-provider';
import { TranslationReader } from '../../libs/translation/translation-reader';
import { translationBodyAad } from '../../libs/domain/translation/translation-subject';
import { testWorkerConfig } from '../support/config';
import {
  createDistrict,
  createUser,
  openTestDatabase,
  type TestDatabase,
  type TestUser,
} from '../support/factories';
import {
  createDeliveredAnnouncement,
  createGuardians,
  createMessage,
  testFieldCipher,
} from '../support/translation-fixtures';
import { rowsOf } from '../support/database';

/** The local provider, answering only after `delayMs`, so concurrent callers overlap for real. */
class SlowProvider implements TranslationProvider {
  readonly inner = new LocalPseudoTranslationProvider();
  readonly name = this.inner.name;
  readonly supportsAutoDetect = false;
  failuresLeft = 0;

  constructor(private readonly delayMs: number) {}

  async translate(text: string, options: TranslateOptions) {
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.failuresLeft > 0) {
      this.failuresLeft--;
      throw new TranslationProviderUnavailableError('the provider is down (test)');
    }
    return this.inner.translate(text, options);
  }

  supportedLanguages() {
    return this.inner.supportedLanguages();
  }
}

const MARKER = 'PLAINTEXT-MARKER-7f3a';

describe('storing translations in PostgreSQL', () => {
  let database: TestDatabase;
  let cipher: FieldCipher;
  let districtId: string;
  let teacher: TestUser;
  let guardian: TestUser;

  beforeAll(async () => {
    database = openTestDatabase();
    cipher = testFieldCipher(database.db, testWorkerConfig());
    districtId = await createDistrict(database.db);
    teacher = await createUser(database.db, districtId, { role: 'teacher', preferredLanguage: 'en' });
    guardian = await createUser(database.db, districtId, { role: 'guardian', preferredLanguage: 'es' });
  });
  afterAll(() => database?.close());

  function deps(provider: TranslationProvider): TranslationDeps {
    return { db: database.db, cipher, provider };
  }

  async function newMessage(body = `${MARKER} The field trip is on Friday.`): Promise<string> {
    return createMessage(database.db, cipher, {
      districtId,
      sender: teacher,
      recipient: guardian,
      body,
      sourceLanguage: 'en',
    });
  }

  async function rawRows(messageId: string) {
    return rowsOf(database.db).$queryRaw<{ body_ciphertext: Buffer; provider: string; language: string }[]>`
      SELECT body_ciphertext, provider, language FROM translations WHERE message_id = ${messageId}::uuid`;
  }

  it('when a message is translated twice, then the provider is called once and one encrypted row is stored', async () => {
    const provider = new LocalPseudoTranslationProvider();
    const messageId = await newMessage();
    const input = { districtId, subject: { kind: 'message' as const, id: messageId }, targetLanguage: 'es' };

    expect(await translateOnce(deps(provider), input)).toBe('translated');
    expect(await translateOnce(deps(provider), input)).toBe('already-translated');

    expect(provider.callCount).toBe(1);
    const rows = await rawRows(messageId);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.provider).toBe('local-pseudo');
    expect(rows[0]!.body_ciphertext.includes(MARKER)).toBe(false);
    expect(rows[0]!.body_ciphertext.includes('[es]')).toBe(false);
    expect(rows[0]!.body_ciphertext.includes('field trip')).toBe(false);
  });

  it('when eight callers translate the same message at once, then one provider call and one row result', async () => {
    const provider = new SlowProvider(300);
    const messageId = await newMessage();
    const input = { districtId, subject: { kind: 'message' as const, id: messageId }, targetLanguage: 'es' };

    const outcomes = await Promise.all(Array.from({ length: 8 }, () => translateOnce(deps(provider), input)));

    expect(provider.inner.callCount).toBe(1);
    expect(outcomes.filter((o) => o === 'translated')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'already-translated')).toHaveLength(7);
    expect(await rawRows(messageId)).toHaveLength(1);
  });

  it('when the provider fails, then nothing is stored and the next attempt calls it again', async () => {
    const provider = new SlowProvider(0);
    provider.failuresLeft = 1;
    const messageId = await newMessage();
    const input = { districtId, subject: { kind: 'message' as const, id: messageId }, targetLanguage: 'vi' };

    await expect(translateOnce(deps(provider), input)).rejects.toBeInstanceOf(
      TranslationProviderUnavailableError,
    );
    expect(await rawRows(messageId)).toHaveLength(0);

    expect(await translateOnce(deps(provider), input)).toBe('translated');
    expect(provider.inner.callCount).toBe(1);
  });

  it('when the target is the source language, then nothing is asked or stored', async () => {
    const provider = new LocalPseudoTranslationProvider();
    const messageId = await newMessage();

    const outcome = await translateOnce(deps(provider), {
      districtId,
      subject: { kind: 'message', id: messageId },
      targetLanguage: 'en',
    });

    expect(outcome).toBe('same-language');
    expect(provider.callCount).toBe(0);
    expect(await rawRows(messageId)).toHaveLength(0);
  });

  it('when the target language is not one the provider offers, then it fails without a call', async () => {
    const provider = new LocalPseudoTranslationProvider();
    const messageId = await newMessage();

    await expect(
      translateOnce(deps(provider), {
        districtId,
        subject: { kind: 'message', id: messageId },
        targetLanguage: 'xx',
      }),
    ).rejects.toBeInstanceOf(UnsupportedLanguagePairError);
    expect(provider.callCount).toBe(0);
  });

  it('when the message belongs to another district, then it is not found and nothing is asked', async () => {
    const provider = new LocalPseudoTranslationProvider();
    const messageId = await newMessage();
    const otherDistrict = await createDistrict(database.db);

    await expect(
      translateOnce(deps(provider), {
        districtId: otherDistrict,
        subject: { kind: 'message', id: messageId },
        targetLanguage: 'es',
      }),
    ).rejects.toBeInstanceOf(TranslationSubjectNotFoundError);
    expect(provider.callCount).toBe(0);
  });

  it('when a guardian reads a translated message, then the reader helper gives their language, the text and the provider', async () => {
    const provider = new LocalPseudoTranslationProvider();
    const messageId = await newMessage('Bring a coat.');
    const reader = new TranslationReader({ db: database.db, cipher });
    const subject = { kind: 'message' as const, id: messageId, sourceLanguage: 'en' };

    expect(await reader.translationFor({ districtId, preferredLanguage: 'es' }, subject)).toBeUndefined();
    await translateOnce(deps(provider), { districtId, subject, targetLanguage: 'es' });

    expect(await reader.translationFor({ districtId, preferredLanguage: 'es' }, subject)).toEqual({
      language: 'es',
      body: '[es] Bring a coat.',
      provider: 'local-pseudo',
    });
    expect(await reader.translationFor({ districtId, preferredLanguage: 'en' }, subject)).toBeUndefined();
    expect(await reader.translationFor({ districtId, preferredLanguage: 'vi' }, subject)).toBeUndefined();
    const page = await reader.translationsFor({ districtId, preferredLanguage: 'es' }, 'message', [
      { id: messageId, sourceLanguage: 'en' },
      { id: await newMessage('Untranslated.'), sourceLanguage: 'en' },
    ]);
    expect([...page.entries()]).toEqual([
      [messageId, { language: 'es', body: '[es] Bring a coat.', provider: 'local-pseudo' }],
    ]);
  });

  it('when a stored translation is relabelled as another language, then it fails to decrypt instead of being shown', async () => {
    const provider = new LocalPseudoTranslationProvider();
    const messageId = await newMessage('Picture day.');
    await translateOnce(deps(provider), {
      districtId,
      subject: { kind: 'message', id: messageId },
      targetLanguage: 'es',
    });
    const [row] = await rowsOf(database.db).translation.findMany({
      where: { messageId },
      select: { bodyCiphertext: true, dataKeyId: true },
    });

    await expect(
      cipher.decrypt(
        row!.dataKeyId,
        row!.bodyCiphertext,
        translationBodyAad({ kind: 'message', id: messageId }, 'vi'),
      ),
    ).rejects.toBeInstanceOf(DecryptionError);
  });

  it("when an announcement's recipients prefer es, vi and en, then its readers' languages are those three", async () => {
    const recipients = await createGuardians(database.db, districtId, ['es', 'vi', 'en', 'es']);
    const announcementId = await createDeliveredAnnouncement(database.db, cipher, {
      districtId,
      author: teacher,
      recipients,
      body: 'School closes early on Wednesday.',
      sourceLanguage: 'en',
    });

    const languages = await database.db
      .forDistrict(districtId)
      .translations.readerLanguages({ kind: 'announcement', id: announcementId });

    expect(languages).toEqual(['en', 'es', 'vi']);
  });

  it('when a message is read, then its reader is the other participant, not the sender', async () => {
    const messageId = await newMessage();
    const languages = await database.db
      .forDistrict(districtId)
      .translations.readerLanguages({ kind: 'message', id: messageId });
    expect(languages).toEqual(['es']);
  });
});
