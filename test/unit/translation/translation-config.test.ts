import { loadApiConfig, loadWorkerConfig } from '../../../libs/config/config';
import { AwsTranslateProvider } from '../../../libs/adapters/translate/aws-translate.provider';
import { LocalPseudoTranslationProvider } from '../../../libs/adapters/translate/local-pseudo.provider';
import { createTranslationProvider } from '../../../libs/adapters/translate/translation-provider.factory';
import { configProblems, minimalValidEnv } from '../../support/config-env';

const baseEnv = minimalValidEnv;
const awsEnv = (overrides: Record<string, string> = {}) => ({
  ...baseEnv(),
  TRANSLATION_PROVIDER: 'aws',
  AWS_TRANSLATE_REGION: 'us-east-1',
  ...overrides,
});

const loaders = [
  ['API', loadApiConfig],
  ['worker', loadWorkerConfig],
] as const;

const problemsOf = configProblems;

describe.each(loaders)('translation residency in the %s configuration', (_process, load) => {
  it.each(['eu-west-1', 'ap-south-1', 'ca-central-1', 'us-east-9'])(
    'when AWS_TRANSLATE_REGION is %s, then start-up is refused naming the variable',
    (region) => {
      const problems = problemsOf(() => load(awsEnv({ AWS_TRANSLATE_REGION: region })));
      expect(problems).toEqual([
        expect.stringMatching(/^AWS_TRANSLATE_REGION: must be a US region with AWS Translate/),
      ]);
    },
  );

  it.each([
    ['a region outside the US', 'https://translate.eu-west-1.amazonaws.com', /outside the US regions/],
    ['Mumbai', 'https://translate.ap-south-1.amazonaws.com', /outside the US regions/],
    ['a non-AWS host', 'https://translate.example.com', /must be an AWS Translate endpoint in a US region/],
    [
      'a look-alike host',
      'https://translate.us-east-1.amazonaws.com.example.net',
      /must be an AWS Translate endpoint/,
    ],
    [
      'a VPC endpoint abroad',
      'https://vpce-0abc-1234.translate.eu-central-1.vpce.amazonaws.com',
      /outside the US regions/,
    ],
    ['plain http to AWS', 'http://translate.us-east-1.amazonaws.com', /must use https/],
    ['a non-loopback http address', 'http://10.0.0.5:8080', /must be an AWS Translate endpoint/],
    [
      'another US region than AWS_TRANSLATE_REGION',
      'https://translate.us-west-2.amazonaws.com',
      /must agree/,
    ],
    ['a path', 'https://translate.us-east-1.amazonaws.com/proxy', /bare origin/],
    ['not a URL', 'translate.us-east-1', /must be a URL/],
  ])(
    'when AWS_TRANSLATE_ENDPOINT is %s, then start-up is refused naming the variable',
    (_what, endpoint, reason) => {
      const problems = problemsOf(() => load(awsEnv({ AWS_TRANSLATE_ENDPOINT: endpoint })));
      expect(problems).toEqual([expect.stringMatching(/^AWS_TRANSLATE_ENDPOINT: /)]);
      expect(problems[0]).toMatch(reason);
    },
  );

  it('when a loopback endpoint is configured in production, then start-up is refused', () => {
    const problems = problemsOf(() =>
      load(awsEnv({ HOMEROOM_ENV: 'production', AWS_TRANSLATE_ENDPOINT: 'http://127.0.0.1:4566' })),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^AWS_TRANSLATE_ENDPOINT: may be a loopback address only when/),
    ]);
  });

  it('when FIPS is required and the endpoint is not a FIPS one, then start-up is refused', () => {
    const problems = problemsOf(() =>
      load(
        awsEnv({
          TRANSLATION_USE_FIPS: 'true',
          AWS_TRANSLATE_ENDPOINT: 'https://translate.us-east-1.amazonaws.com',
        }),
      ),
    );
    expect(problems).toEqual([expect.stringMatching(/^AWS_TRANSLATE_ENDPOINT: is not a FIPS endpoint/)]);
  });

  it('when the provider is aws without a region, then start-up is refused naming AWS_TRANSLATE_REGION', () => {
    const env: Record<string, string> = awsEnv();
    delete env.AWS_TRANSLATE_REGION;
    expect(problemsOf(() => load(env))).toEqual([
      expect.stringMatching(/^AWS_TRANSLATE_REGION: is required when TRANSLATION_PROVIDER is aws/),
    ]);
  });

  it('when production does not name a provider, then start-up is refused naming TRANSLATION_PROVIDER', () => {
    expect(problemsOf(() => load({ ...baseEnv(), HOMEROOM_ENV: 'production' }))).toEqual([
      expect.stringMatching(/^TRANSLATION_PROVIDER: is required in production/),
    ]);
  });

  it('when the region is refused together with other problems, then all are reported at once', () => {
    const problems = problemsOf(() =>
      load({ ...awsEnv({ AWS_TRANSLATE_REGION: 'eu-west-1' }), STORAGE_DIR: '' }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^AWS_TRANSLATE_REGION: /),
        expect.stringMatching(/^STORAGE_DIR: /),
      ]),
    );
  });

  it.each(['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'us-gov-west-1'])(
    'when AWS_TRANSLATE_REGION is %s, then the configuration is accepted',
    (region) => {
      const config = load(awsEnv({ AWS_TRANSLATE_REGION: region, TRANSLATION_USE_FIPS: 'true' }));
      expect(config.AWS_TRANSLATE_REGION).toBe(region);
      expect(config.TRANSLATION_USE_FIPS).toBe(true);
    },
  );

  it.each([
    ['the public endpoint', 'https://translate.us-west-2.amazonaws.com', 'false'],
    ['the FIPS endpoint', 'https://translate-fips.us-west-2.amazonaws.com', 'true'],
    [
      'an interface VPC endpoint',
      'https://vpce-0a1b2c3d4e5f-abcdefgh.translate.us-west-2.vpce.amazonaws.com',
      'false',
    ],
    [
      'an AZ-specific FIPS VPC endpoint',
      'https://vpce-0a1b2c-x1y2-us-west-2a.translate-fips.us-west-2.vpce.amazonaws.com',
      'true',
    ],
  ])(
    'when AWS_TRANSLATE_ENDPOINT is %s of the region, then the configuration is accepted',
    (_what, endpoint, fips) => {
      const config = load(
        awsEnv({
          AWS_TRANSLATE_REGION: 'us-west-2',
          AWS_TRANSLATE_ENDPOINT: endpoint,
          TRANSLATION_USE_FIPS: fips,
        }),
      );
      expect(config.AWS_TRANSLATE_ENDPOINT).toBe(endpoint);
    },
  );

  it.each(['http://127.0.0.1:4566', 'http://localhost:4566', 'http://[::1]:4566'])(
    'when the endpoint is the loopback stand-in %s in the test environment, then it is accepted',
    (endpoint) => {
      const config = load(awsEnv({ HOMEROOM_ENV: 'test', AWS_TRANSLATE_ENDPOINT: endpoint }));
      expect(config.AWS_TRANSLATE_ENDPOINT).toBe(endpoint);
    },
  );

  it('when nothing about translation is set locally, then the labelled local provider is used', () => {
    const config = load(baseEnv());
    expect(config.TRANSLATION_PROVIDER).toBe('local');
    const provider = createTranslationProvider(config);
    expect(provider).toBeInstanceOf(LocalPseudoTranslationProvider);
    expect(provider.name).toBe('local-pseudo');
  });
});

describe('the AWS provider built from the configuration', () => {
  it('when FIPS is on, then requests go to translate-fips.<region>.amazonaws.com', () => {
    const provider = createTranslationProvider(
      loadWorkerConfig(awsEnv({ AWS_TRANSLATE_REGION: 'us-east-2', TRANSLATION_USE_FIPS: 'true' })),
    );
    expect(provider).toBeInstanceOf(AwsTranslateProvider);
    expect((provider as AwsTranslateProvider).endpoint).toBe(
      'https://translate-fips.us-east-2.amazonaws.com',
    );
    (provider as AwsTranslateProvider).destroy();
  });

  it('when the region is us-west-1, then source detection is not offered (no Amazon Comprehend there)', () => {
    const west1 = createTranslationProvider(loadWorkerConfig(awsEnv({ AWS_TRANSLATE_REGION: 'us-west-1' })));
    const east1 = createTranslationProvider(loadWorkerConfig(awsEnv({ AWS_TRANSLATE_REGION: 'us-east-1' })));
    expect(west1.supportsAutoDetect).toBe(false);
    expect(east1.supportsAutoDetect).toBe(true);
  });

  it('when built directly with a refused endpoint, then the constructor refuses too', () => {
    expect(
      () =>
        new AwsTranslateProvider({
          region: 'us-east-1',
          fips: false,
          environment: 'production',
          endpoint: 'https://translate.eu-west-1.amazonaws.com',
        }),
    ).toThrow(/outside the US regions/);
  });
});
