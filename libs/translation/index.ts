export {
  AWS_TRANSLATE_MAX_BYTES,
  AwsTranslateProvider,
  type AwsTranslateOptions,
  mapAwsError,
} from '../adapters/translate/aws-translate.provider';
export { ConcurrencyLimit } from './concurrency-limit';
export { isSupportedLanguage, type LanguageCode, SUPPORTED_LANGUAGES } from '../domain/translation/languages';
export { languagesNeeded } from './languages-needed';
export { LocalPseudoTranslationProvider } from '../adapters/translate/local-pseudo.provider';
export {
  joinTranslatedChunks,
  splitForTranslation,
  type TextChunks,
  utf8Bytes,
} from '../domain/translation/text-chunks';
export {
  translateOnce,
  type TranslateOnceInput,
  type TranslateOnceOutcome,
  type TranslationDeps,
} from './translate-once';
export * from '../domain/translation/translation-errors';
export {
  type TranslateOptions,
  type TranslateResult,
  type TranslationProvider,
} from '../adapters/translate/translation-provider';
export { createTranslationProvider } from '../adapters/translate/translation-provider.factory';
export {
  type ReaderTranslation,
  type TranslatableSubject,
  TranslationReader,
  type TranslationReaderIdentity,
} from './translation-reader';
export * from '../domain/translation/translation-residency';
export * from '../domain/translation/translation-subject';
