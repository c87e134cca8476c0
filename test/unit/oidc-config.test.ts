import { loadApiConfig } from '../../libs/config/config';
import { configProblems, minimalValidEnv } from '../support/config-env';

describe('school sign-in configuration', () => {
  it('when OIDC_CLIENT_SECRET_* variables are set, then exactly those are the secrets districts may name', () => {
    const config = loadApiConfig({
      ...minimalValidEnv(),
      OIDC_CLIENT_SECRET_SPRINGFIELD: 's3cret-value',
      OIDC_CLIENT_SECRET_SHELBYVILLE: 'another-value',
    });
    expect(config.OIDC_CLIENT_SECRETS).toEqual({
      OIDC_CLIENT_SECRET_SPRINGFIELD: 's3cret-value',
      OIDC_CLIENT_SECRET_SHELBYVILLE: 'another-value',
    });
    expect(Object.keys(config.OIDC_CLIENT_SECRETS)).not.toContain('API_SIGNING_KEY');
    expect({ login: config.OIDC_LOGIN_TTL_SECONDS, code: config.OIDC_EXCHANGE_CODE_TTL_SECONDS }).toEqual({
      login: 600,
      code: 60,
    });
  });

  it('when a secret variable is empty or a lifetime is out of range, then start-up fails naming each', () => {
    const problems = configProblems(() =>
      loadApiConfig({
        ...minimalValidEnv(),
        OIDC_CLIENT_SECRET_EMPTY: ' ',
        OIDC_LOGIN_TTL_SECONDS: '10',
        OIDC_EXCHANGE_CODE_TTL_SECONDS: '3600',
      }),
    );
    expect(problems.map((problem) => problem.split(':')[0]).sort()).toEqual([
      'OIDC_CLIENT_SECRET_EMPTY',
      'OIDC_EXCHANGE_CODE_TTL_SECONDS',
      'OIDC_LOGIN_TTL_SECONDS',
    ]);
  });
});
