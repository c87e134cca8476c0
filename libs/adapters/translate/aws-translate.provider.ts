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
  /** Attempts per chunk for throttling and outages, the first included; default 4. */
  maxAttempts?: number;
  /** Backoff before the second attempt, doubled for each further one (with jitter); default 200 ms. */
  baseDelayMs?: number;
  /** Longest backoff; default 5 s. */
  maxDelayMs?: number;
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
 * order. Retries for throttling and outages happen here, per chunk and bounded, with the SDK's own
 * retries switched off so the number of requests is predictable; a caller (the Temporal activity) may
 * retry the whole translation later on top of that.
 */
export class AwsTranslateProvider implements TranslationProvider {
  readonly name = 'aws-translate';
  readonly supportsAutoDetect: boolean;
  /** Where every request goes; shown in the worker's start-up log. */
  readonly endpoint: string;
  private readonly client: TranslateClient;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxTextBytes: number;

  constructor(options: AwsTranslateOptions) {
    const endpoint = options.endpoint ?? translateEndpointFor(options.region, options.fips);
    const problem = endpointProblem(endpoint, options);
    if (problem) throw new RangeError(`AWS Translate endpoint ${endpoint} ${problem}`);
    this.endpoint = endpoint;
    this.supportsAutoDetect = regionSupportsAutoDetect(options.region);
    this.maxAttempts = options.maxAttempts ?? 4;
    this.baseDelayMs = options.baseDelayMs ?? 200;
    this.maxDelayMs = options.maxDelayMs ?? 5_000;
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
    for (let attempt = 1; ; attempt++) {
      try {
        const output = await this.client.send(
          new TranslateTextCommand({ Text: text, SourceLanguageCode: source, TargetLanguageCode: target }),
        );
        return { text: output.TranslatedText ?? '', sourceLanguage: output.SourceLanguageCode ?? source };
      } catch (error) {
        const mapped = mapAwsError(error, { source, target, bytes: utf8Bytes(text) });
        if (!mapped.retryable || attempt >= this.maxAttempts) throw mapped;
        await sleep(this.backoffMs(attempt));
      }
    }
  }

  private backoffMs(attempt: number): number {
    const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
    return ceiling / 2 + Math.random() * (ceiling / 2);
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
