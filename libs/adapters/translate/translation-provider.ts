export interface TranslateOptions {
  /** A language code, or `auto` to let the provider detect it (only if `supportsAutoDetect`). */
  source: string | 'auto';
  target: string;
}

export interface TranslateResult {
  text: string;
  /** The source language used: the one given, or the one detected for `auto`. */
  sourceLanguage: string;
}

/**
 * A machine translation service. Implementations throw only {@link TranslationError}s, so callers can
 * decide on retries without knowing the provider.
 */
export interface TranslationProvider {
  /** Stored with every translation and shown to readers as `translation.provider`. */
  readonly name: string;
  readonly supportsAutoDetect: boolean;
  translate(text: string, options: TranslateOptions): Promise<TranslateResult>;
  supportedLanguages(): readonly string[];
}
