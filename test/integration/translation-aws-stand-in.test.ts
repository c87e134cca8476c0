import { AwsTranslateProvider } from '../../libs/adapters/translate/aws-translate.provider';
import {
  joinTranslatedChunks,
  splitForTranslation,
  utf8Bytes,
} from '../../libs/domain/translation/text-chunks';
import {
  LanguageDetectionError,
  TranslationProviderUnavailableError,
  TranslationThrottledError,
  UnsupportedLanguagePairError,
} from '../../libs/domain/translation/translation-errors';
import {
  awsError,
  STAND_IN_CREDENTIALS,
  standInTranslation,
  TranslateStandIn,
} from '../support/translate-stand-in';

/**
 * AWS Translate itself is out of reach here, so the real adapter and the real SDK talk to a local
 * server speaking the TranslateText wire protocol (AWS JSON 1.1, SigV4). Credentials come from the
 * environment, as in production; AWS_ENDPOINT_URL_TRANSLATE points abroad to show it is ignored.
 */
describe('AWS Translate stand-in (local TranslateText server)', () => {
  let standIn: TranslateStandIn;
  let provider: AwsTranslateProvider;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    standIn = await TranslateStandIn.start();
    process.env.AWS_ACCESS_KEY_ID = STAND_IN_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = STAND_IN_CREDENTIALS.secretAccessKey;
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    process.env.AWS_ENDPOINT_URL_TRANSLATE = 'https://translate.eu-west-1.amazonaws.com';
    provider = new AwsTranslateProvider({
      region: 'us-east-1',
      fips: false,
      environment: 'test',
      endpoint: standIn.endpoint,
      baseDelayMs: 5,
      maxDelayMs: 20,
    });
  });
  afterEach(() => standIn.reset());
  afterAll(async () => {
    provider.destroy();
    await standIn.close();
    process.env = savedEnv;
  });

  it('when a short text is translated, then one signed TranslateText request of the documented shape is sent', async () => {
    const result = await provider.translate('Field trip on Friday.', { source: 'en', target: 'es' });

    expect(result).toEqual({ text: standInTranslation('Field trip on Friday.', 'es'), sourceLanguage: 'en' });
    expect(standIn.requests).toHaveLength(1);
    const [request] = standIn.requests;
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe('/');
    expect(request!.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(request!.headers['x-amz-target']).toBe('AWSShineFrontendService_20170701.TranslateText');
    expect(request!.headers.authorization).toMatch(
      new RegExp(
        `^AWS4-HMAC-SHA256 Credential=${STAND_IN_CREDENTIALS.accessKeyId}/\\d{8}/us-east-1/translate/aws4_request, ?SignedHeaders=[a-z0-9;-]+, ?Signature=[0-9a-f]{64}$`,
      ),
    );
    expect(request!.signatureValid).toBe(true);
    expect(JSON.parse(request!.rawBody)).toEqual({
      Text: 'Field trip on Friday.',
      SourceLanguageCode: 'en',
      TargetLanguageCode: 'es',
    });
  });

  it('when a message is 25,000 bytes, then it goes in requests of at most 10,000 bytes, in order, rejoined', async () => {
    const paragraph = (n: number) =>
      Array.from(
        { length: 70 },
        (_, i) => `Paragraph ${n}, sentence ${i}: please sign the permission slip.`,
      ).join(' ');
    let text = Array.from({ length: 6 }, (_, n) => paragraph(n)).join('\n\n');
    text = text.slice(0, text.lastIndexOf(' ', 25_000 - 1));
    text += ' ' + 'z'.repeat(25_000 - utf8Bytes(text) - 1);
    expect(utf8Bytes(text)).toBe(25_000);

    const result = await provider.translate(text, { source: 'en', target: 'vi' });

    const split = splitForTranslation(text, 10_000);
    expect(standIn.requests.map((r) => r.body.Text)).toEqual(split.chunks);
    expect(standIn.requests.length).toBe(3);
    for (const request of standIn.requests) {
      expect(utf8Bytes(request.body.Text)).toBeLessThanOrEqual(10_000);
      expect(request.signatureValid).toBe(true);
    }
    expect(joinTranslatedChunks(split, split.chunks)).toBe(text);
    expect(result.text).toBe(
      joinTranslatedChunks(
        split,
        split.chunks.map((chunk) => standInTranslation(chunk, 'vi')),
      ),
    );
  });

  it('when AWS answers UnsupportedLanguagePairException, then the error is typed and not retried', async () => {
    standIn.respondWith(() => awsError(400, 'UnsupportedLanguagePairException'));

    const failure = provider.translate('Hello', { source: 'en', target: 'so' });

    await expect(failure).rejects.toBeInstanceOf(UnsupportedLanguagePairError);
    await expect(failure).rejects.toMatchObject({ retryable: false });
    expect(standIn.requests).toHaveLength(1);
  });

  it('when AWS throttles twice, then the adapter backs off, retries and succeeds', async () => {
    standIn.respondWith((_request, index) => (index < 2 ? awsError(400, 'ThrottlingException') : undefined));

    const result = await provider.translate('Hello', { source: 'en', target: 'es' });

    expect(result.text).toBe(standInTranslation('Hello', 'es'));
    expect(standIn.requests).toHaveLength(3);
  });

  it('when AWS keeps throttling, then the adapter gives up after its bounded attempts with a retryable error', async () => {
    standIn.respondWith(() => awsError(400, 'ThrottlingException'));

    const failure = provider.translate('Hello', { source: 'en', target: 'es' });

    await expect(failure).rejects.toBeInstanceOf(TranslationThrottledError);
    await expect(failure).rejects.toMatchObject({ retryable: true });
    expect(standIn.requests).toHaveLength(4);
  });

  it('when AWS answers 500, then the request is retried and the next answer is used', async () => {
    standIn.respondWith((_request, index) =>
      index === 0 ? awsError(500, 'InternalServerException') : undefined,
    );

    const result = await provider.translate('Hello', { source: 'en', target: 'es' });

    expect(result.text).toBe(standInTranslation('Hello', 'es'));
    expect(standIn.requests).toHaveLength(2);
  });

  it('when AWS is unavailable on every attempt, then a retryable unavailable error ends the bounded retries', async () => {
    standIn.respondWith(() => awsError(503, 'ServiceUnavailableException'));

    const failure = provider.translate('Hello', { source: 'en', target: 'es' });

    await expect(failure).rejects.toBeInstanceOf(TranslationProviderUnavailableError);
    expect(standIn.requests).toHaveLength(4);
  });

  it('when detection is not confident, then the error is typed and not retried', async () => {
    standIn.respondWith(() => awsError(400, 'DetectedLanguageLowConfidenceException'));

    const failure = provider.translate('ok', { source: 'auto', target: 'es' });

    await expect(failure).rejects.toBeInstanceOf(LanguageDetectionError);
    expect(standIn.requests).toHaveLength(1);
  });

  it('when the source is auto and the text is long, then the language detected in the first chunk is used for the rest', async () => {
    standIn.detectAs('fr');
    const text = Array.from({ length: 3 }, () => 'Bonjour à toutes les familles. '.repeat(300).trim()).join(
      '\n\n',
    );

    const result = await provider.translate(text, { source: 'auto', target: 'en' });

    expect(result.sourceLanguage).toBe('fr');
    expect(standIn.requests.map((r) => r.body.SourceLanguageCode)).toEqual(['auto', 'fr', 'fr']);
  });

  it('when a language the provider does not know is asked for, then no request is sent', async () => {
    await expect(provider.translate('Hello', { source: 'en', target: 'tlh' })).rejects.toBeInstanceOf(
      UnsupportedLanguagePairError,
    );
    expect(standIn.requests).toHaveLength(0);
  });

  it('when the adapter runs in us-west-1, then auto detection is refused before any request', async () => {
    const west = new AwsTranslateProvider({
      region: 'us-west-1',
      fips: false,
      environment: 'test',
      endpoint: standIn.endpoint,
    });
    try {
      await expect(west.translate('Hello', { source: 'auto', target: 'es' })).rejects.toBeInstanceOf(
        UnsupportedLanguagePairError,
      );
      expect(standIn.requests).toHaveLength(0);
      await west.translate('Hello', { source: 'en', target: 'es' });
      expect(standIn.requests[0]!.headers.authorization).toContain('/us-west-1/translate/aws4_request');
    } finally {
      west.destroy();
    }
  });
});
