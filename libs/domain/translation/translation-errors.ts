/**
 * The ways a translation can fail, split by what a caller should do about it: `retryable` errors
 * (throttling, provider outage) are worth trying again later; the others will fail the same way every
 * time. Messages name languages and sizes only, never the text.
 */
export abstract class TranslationError extends Error {
  abstract readonly retryable: boolean;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The provider asked us to slow down (AWS ThrottlingException, TooManyRequestsException). */
export class TranslationThrottledError extends TranslationError {
  readonly retryable = true;
}

/** The provider could not be reached or failed on its side (5xx, ServiceUnavailable, network). */
export class TranslationProviderUnavailableError extends TranslationError {
  readonly retryable = true;
}

/** The provider does not translate between these languages (or does not know one of them). */
export class UnsupportedLanguagePairError extends TranslationError {
  readonly retryable = false;

  constructor(
    readonly source: string,
    readonly target: string,
    detail = 'is not supported by the translation provider',
  ) {
    super(`the language pair ${source} → ${target} ${detail}`);
  }
}

/** Source detection was asked for and could not decide (AWS DetectedLanguageLowConfidenceException). */
export class LanguageDetectionError extends TranslationError {
  readonly retryable = false;
}

/** The text is longer than the provider accepts even after splitting it. */
export class TextTooLongError extends TranslationError {
  readonly retryable = false;

  constructor(
    readonly bytes: number,
    readonly limitBytes: number,
  ) {
    super(`the text is ${bytes} bytes of UTF-8, more than the ${limitBytes} bytes allowed`);
  }
}

/** The provider refused the request for a reason retrying cannot fix (bad credentials, bad request). */
export class TranslationRejectedError extends TranslationError {
  readonly retryable = false;
}

/** The message or announcement to translate does not exist in the district. */
export class TranslationSubjectNotFoundError extends TranslationError {
  readonly retryable = false;

  constructor(kind: string, id: string) {
    super(`${kind} ${id} was not found`);
  }
}
