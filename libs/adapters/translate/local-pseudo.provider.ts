import { SUPPORTED_LANGUAGES, isSupportedLanguage } from '../../domain/translation/languages';
import { UnsupportedLanguagePairError } from '../../domain/translation/translation-errors';
import {
  type TranslateOptions,
  type TranslateResult,
  type TranslationProvider,
} from './translation-provider';

/**
 * The embedded stack's stand-in for a translation service: it does not translate, it marks the text
 * with the target language (`[es] Hello`). Its name, stored with every translation and shown to readers
 * as `translation.provider`, says so, and no text leaves the machine. Deterministic, and it counts its
 * calls so tests can assert how often a provider was asked.
 */
export class LocalPseudoTranslationProvider implements TranslationProvider {
  readonly name = 'local-pseudo';
  readonly supportsAutoDetect = false;
  private readonly calls: { source: string; target: string }[] = [];

  async translate(text: string, { source, target }: TranslateOptions): Promise<TranslateResult> {
    if (source === 'auto' || !isSupportedLanguage(source) || !isSupportedLanguage(target)) {
      throw new UnsupportedLanguagePairError(source, target);
    }
    this.calls.push({ source, target });
    return { text: `[${target}] ${text}`, sourceLanguage: source };
  }

  supportedLanguages(): readonly string[] {
    return SUPPORTED_LANGUAGES;
  }

  get callCount(): number {
    return this.calls.length;
  }

  /** The language pairs asked for, oldest first. */
  callLog(): readonly { source: string; target: string }[] {
    return [...this.calls];
  }
}
