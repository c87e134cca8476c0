import { TranslateClient, type TranslateClientConfig, TranslateTextCommand } from '@aws-sdk/client-translate';
import { SUPPORTED_LANGUAGES, isSupportedLanguage } from '../../domain/translation/languages';
import { joinTranslatedChunks, splitForTranslation, utf8Bytes } from '../../domain/translation/text-chunks';
import {
  LanguageDetectionError,
  TextTooLongError,
  TranslationError,
  TranslationProviderUnavailableError,
  TranslationRejectedError,
  TranslationThrottledError,
  UnsupportedLanguagePairError,
} from '../../domain/translation/translation-errors';
import {
  type TranslateOptions,
  type TranslateResult,
  type TranslationProvider,
} from './translation-provider';
import {
  endpointProblem,
  regionSupportsAutoDetect,
  translateEndpointFor,
  type UsTranslateRegion,
} from '../../domain/translation/translation-residency';

/** TranslateText's limit on `Text` (REFERENCE.md). */
export const AWS_TRANSLATE_MAX_BYTES = 10_000;

export interface AwsTranslateOptions {
  region: UsTranslateRegion;
  fips: boolean;
  /** An allowed explicit endpoint (checked again here); otherwise the region's public endpoint. */
  endpoint?: string;
  environment: 'local' | 'test' | 'production';
  /** Static credentials; by default the SDK's chain (environment, web identity, instance role). */
  credentials?: TranslateClientConfig['credentials'];
  /** Per request; default 15 s. */
  requestTimeoutMs?: number;
  /** A text longer than this is refused before any call, however it could be split; default 200,000. */
  maxTextBytes?: number;
}

const THROTTLING = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'LimitExceededException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
]);
const UNAVAILABLE = new Set(['ServiceUnavailableException', 'InternalServerException', 'InternalFailure']);
const UNSUPPORTED_LANGUAGE = new Set([
  'UnsupportedLanguagePairException',
  'UnsupportedDisplayLanguageCodeException',
]);

/**
 * Amazon Translate through the official SDK, pinned to a US region: the endpoint is always passed
 * explicitly, so neither the SDK's defaults nor AWS_ENDPOINT_URL_* can route text elsewhere.
 *
 * Texts over 10,000 bytes are split (text-chunks.ts) and the chunks translated one after another, in
 * order.
 *
 * One retry policy: the Temporal activity's (translation.workflow.ts). Each chunk is one request: the
 * SDK's own retries are off (`maxAttempts: 1`) and this adapter has no loop of its own, so throttling
 * or an outage surfaces at once as a typed, retryable error and Temporal backs off and retries the
 * activity, visibly in the workflow's history and within its bounds. Stacking the SDK's three attempts,
 * or a loop here, under Temporal's twelve would multiply the requests a throttled account receives.
 * A retried activity translates the earlier chunks again; a long text is at most 20 chunks.
 */
export class AwsTranslateProvider implements TranslationProvider {
  readonly name = 'aws-translate';
  readonly supportsAutoDetect: boolean;
  /** Where every request goes; shown in the worker's start-up log. */
  readonly endpoint: string;
  private readonly client: TranslateClient;
  private readonly maxTextBytes: number;

  constructor(options: AwsTranslateOptions) {
    const endpoint = options.endpoint ?? translateEndpointFor(options.region, options.fips);
    const problem = endpointProblem(endpoint, options);
    if (problem) throw new RangeError(`AWS Translate endpoint ${endpoint} ${problem}`);
    this.endpoint = endpoint;
    this.supportsAutoDetect = regionSupportsAutoDetect(options.region);
    this.maxTextBytes = options.maxTextBytes ?? 200_000;
    this.client = new TranslateClient({
      region: options.region,
      endpoint,
      maxAttempts: 1,
      requestHandler: { requestTimeout: options.requestTimeoutMs ?? 15_000, connectionTimeout: 5_000 },
      ...(options.credentials ? { credentials: options.credentials } : {}),
    });
  }

  supportedLanguages(): readonly string[] {
    return SUPPORTED_LANGUAGES;
  }

  async translate(text: string, options: TranslateOptions): Promise<TranslateResult> {
    this.checkLanguages(options);
    const bytes = utf8Bytes(text);
    if (bytes > this.maxTextBytes) throw new TextTooLongError(bytes, this.maxTextBytes);
    const split = splitForTranslation(text, AWS_TRANSLATE_MAX_BYTES);
    let source = options.source;
    const translated: string[] = [];
    for (const chunk of split.chunks) {
      const result = await this.translateChunk(chunk, source, options.target);
      // Detect once, on the first chunk, so every chunk is read as the same language.
      source = result.sourceLanguage;
      translated.push(result.text);
    }
    return { text: joinTranslatedChunks(split, translated), sourceLanguage: source };
  }

  /** Closes the SDK's connection pool. */
  destroy(): void {
    this.client.destroy();
  }

  private checkLanguages({ source, target }: TranslateOptions): void {
    if (source === 'auto' && !this.supportsAutoDetect) {
      throw new UnsupportedLanguagePairError(
        source,
        target,
        'cannot be used here: this region cannot detect languages',
      );
    }
    if ((source !== 'auto' && !isSupportedLanguage(source)) || !isSupportedLanguage(target)) {
      throw new UnsupportedLanguagePairError(source, target);
    }
  }

  private async translateChunk(text: string, source: string, target: string): Promise<TranslateResult> {
    try {
      const output = await this.client.send(
        new TranslateTextCommand({ Text: text, SourceLanguageCode: source, TargetLanguageCode: target }),
      );
      return { text: output.TranslatedText ?? '', sourceLanguage: output.SourceLanguageCode ?? source };
    } catch (error) {
      throw mapAwsError(error, { source, target, bytes: utf8Bytes(text) });
    }
  }
}

interface AwsErrorShape {
  name?: string;
  message?: string;
  code?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
}

/** AWS error names and statuses to our error set; messages name the error type, never the text. */
export function mapAwsError(
  error: unknown,
  request: { source: string; target: string; bytes: number },
): TranslationError {
  const { source, target } = request;
  if (error instanceof TranslationError) return error;
  const shape = (typeof error === 'object' && error !== null ? error : {}) as AwsErrorShape;
  const name = shape.name ?? 'Error';
  const status = shape.$metadata?.httpStatusCode;
  if (THROTTLING.has(name) || status === 429) {
    return new TranslationThrottledError(`AWS Translate throttled the request (${name})`);
  }
  if (UNSUPPORTED_LANGUAGE.has(name)) return new UnsupportedLanguagePairError(source, target);
  if (name === 'DetectedLanguageLowConfidenceException') {
    return new LanguageDetectionError('AWS Translate could not detect the source language with confidence');
  }
  if (name === 'TextSizeLimitExceededException')
    return new TextTooLongError(request.bytes, AWS_TRANSLATE_MAX_BYTES);
  if (name === 'CredentialsProviderError') {
    return new TranslationRejectedError('AWS Translate needs credentials and none were found');
  }
  if (UNAVAILABLE.has(name) || shape.$fault === 'server' || (status !== undefined && status >= 500)) {
    return new TranslationProviderUnavailableError(
      `AWS Translate is unavailable (${name}, HTTP ${status ?? '-'})`,
    );
  }
  if (status === undefined || isNetworkError(shape)) {
    return new TranslationProviderUnavailableError(
      `AWS Translate could not be reached (${shape.code ?? name})`,
    );
  }
  return new TranslationRejectedError(`AWS Translate refused the request (${name}, HTTP ${status})`);
}

function isNetworkError(shape: AwsErrorShape): boolean {
  return ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN'].includes(
    shape.code ?? '',
  );
}
