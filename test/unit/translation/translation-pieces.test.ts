import { bodyAad } from '../../../libs/messaging/message-body';
import { ConcurrencyLimit } from '../../../libs/translation/concurrency-limit';
import { languagesNeeded } from '../../../libs/translation/languages-needed';
import { LocalPseudoTranslationProvider } from '../../../libs/adapters/translate/local-pseudo.provider';
import { UnsupportedLanguagePairError } from '../../../libs/domain/translation/translation-errors';
import { subjectBodyAad } from '../../../libs/domain/translation/translation-subject';
import { workflowIds } from '../../../libs/adapters/temporal/workflow-safe/workflow-ids';

describe('languagesNeeded', () => {
  it('when readers prefer es, vi, en and es again for an English text, then es and vi are needed, once each', () => {
    expect(languagesNeeded('en', ['es', 'vi', 'en', 'es'])).toEqual(['es', 'vi']);
  });

  it('when every reader reads the source language, then nothing is needed', () => {
    expect(languagesNeeded('es', ['es', 'es'])).toEqual([]);
  });

  it('when regional variants are preferred, then they count as languages of their own', () => {
    expect(languagesNeeded('es', ['es-MX', 'es', 'pt-PT', 'pt'])).toEqual(['es-MX', 'pt', 'pt-PT']);
  });
});

describe('the local pseudo-translation provider', () => {
  it('when it translates, then it marks the text with the target language and says it is not a real translation', async () => {
    const provider = new LocalPseudoTranslationProvider();
    expect(provider.name).toBe('local-pseudo');
    expect(await provider.translate('Hello', { source: 'en', target: 'vi' })).toEqual({
      text: '[vi] Hello',
      sourceLanguage: 'en',
    });
    expect(await provider.translate('Hello', { source: 'en', target: 'vi' })).toEqual({
      text: '[vi] Hello',
      sourceLanguage: 'en',
    });
    expect(provider.callCount).toBe(2);
    expect(provider.callLog()).toEqual([
      { source: 'en', target: 'vi' },
      { source: 'en', target: 'vi' },
    ]);
  });

  it('when asked to detect the source or for an unknown language, then it refuses without counting a call', async () => {
    const provider = new LocalPseudoTranslationProvider();
    await expect(provider.translate('Hello', { source: 'auto', target: 'es' })).rejects.toBeInstanceOf(
      UnsupportedLanguagePairError,
    );
    await expect(provider.translate('Hello', { source: 'en', target: 'klingon' })).rejects.toMatchObject({
      retryable: false,
    });
    expect(provider.callCount).toBe(0);
  });
});

describe('ConcurrencyLimit', () => {
  it('when ten tasks run under a limit of three, then never more than three run at once and all finish', async () => {
    const limit = new ConcurrencyLimit(3);
    let running = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        limit.run(async () => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((resolve) => setTimeout(resolve, 5));
          running--;
          return i;
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('when a task fails, then its slot is freed for the next', async () => {
    const limit = new ConcurrencyLimit(1);
    await expect(limit.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limit.run(async () => 'next')).resolves.toBe('next');
  });
});

describe('workflowIds.translation', () => {
  it('when a subject is named, then the id names its kind and id only', () => {
    expect(workflowIds.translation('announcement', 'a1b2')).toBe('translation-announcement-a1b2');
  });
});

describe('the AAD of the bodies translation opens', () => {
  it('when messaging seals a body, then translation opens it with the same AAD', () => {
    expect(subjectBodyAad({ kind: 'message', id: 'm-1' })).toBe(bodyAad.message('m-1'));
    expect(subjectBodyAad({ kind: 'announcement', id: 'a-1' })).toBe(bodyAad.announcement('a-1'));
  });
});
