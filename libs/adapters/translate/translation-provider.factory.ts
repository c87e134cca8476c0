import { type TranslationConfig } from '../../config/config';
import { AwsTranslateProvider } from './aws-translate.provider';
import { LocalPseudoTranslationProvider } from './local-pseudo.provider';
import { type TranslationProvider } from './translation-provider';

/** The provider the configuration names; the configuration was checked for residency at start-up. */
export function createTranslationProvider(
  config: TranslationConfig & { HOMEROOM_ENV: 'local' | 'test' | 'production' },
): TranslationProvider {
  if (config.TRANSLATION_PROVIDER === 'local') return new LocalPseudoTranslationProvider();
  if (config.AWS_TRANSLATE_REGION === undefined) {
    throw new RangeError('AWS_TRANSLATE_REGION is required when TRANSLATION_PROVIDER is aws');
  }
  return new AwsTranslateProvider({
    region: config.AWS_TRANSLATE_REGION,
    fips: config.TRANSLATION_USE_FIPS,
    environment: config.HOMEROOM_ENV,
    ...(config.AWS_TRANSLATE_ENDPOINT ? { endpoint: config.AWS_TRANSLATE_ENDPOINT } : {}),
  });
}
