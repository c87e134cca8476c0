import { oidcSettingsProblems, urlProblem } from '../../../libs/identity/oidc-settings';

const valid = {
  issuer: 'https://accounts.example.edu',
  clientId: 'homeroom',
  secretRef: 'OIDC_CLIENT_SECRET_SPRINGFIELD',
  claim: 'email',
  field: 'email',
  redirectUris: ['https://app.example.edu/signed-in'],
  passwordSignInDisabledRoles: ['student'],
};

describe('school sign-in settings', () => {
  it('when the settings are sound, then there is no problem in any environment', () => {
    for (const environment of ['local', 'test', 'production'] as const) {
      expect(oidcSettingsProblems(valid, environment)).toEqual([]);
    }
  });

  it.each([
    ['http://accounts.example.edu', 'local'],
    ['http://127.0.0.1:8080', 'production'],
    ['https://user:pw@accounts.example.edu', 'production'],
    ['https://accounts.example.edu/#x', 'production'],
    ['https://accounts.example.edu/?tenant=1', 'production'],
    ['javascript:alert(1)', 'local'],
    ['not a url', 'local'],
  ] as const)('when the issuer is %s in %s, then it is refused', (issuer, environment) => {
    expect(urlProblem(issuer, environment, { allowQuery: false })).toBeDefined();
  });

  it.each(['http://127.0.0.1:8080', 'http://localhost:3000/', 'http://[::1]:9000'])(
    'when a loopback http issuer %s is used outside production, then it is allowed',
    (issuer) => {
      expect(urlProblem(issuer, 'test', { allowQuery: false })).toBeUndefined();
    },
  );

  it('when a redirect URI carries a query, then it is allowed; a fragment is not', () => {
    expect(
      urlProblem('https://app.example.edu/cb?app=1', 'production', { allowQuery: true }),
    ).toBeUndefined();
    expect(urlProblem('https://app.example.edu/cb#frag', 'production', { allowQuery: true })).toBeDefined();
  });

  it.each([
    [{ secretRef: 'API_SIGNING_KEY' }, '--secret-ref'],
    [{ secretRef: 'oidc_client_secret_lower' }, '--secret-ref'],
    [{ claim: 'email address' }, '--claim'],
    [{ field: 'familyName' }, '--field'],
    [{ redirectUris: [] }, '--redirect-uri'],
    [{ passwordSignInDisabledRoles: ['school_admin'] }, 'admins always sign in'],
    [{ passwordSignInDisabledRoles: ['janitor'] }, 'must be student, guardian or teacher'],
    [{ clientId: 'has space' }, '--client-id'],
  ])('when %j, then the problem names %s', (change, text) => {
    const problems = oidcSettingsProblems({ ...valid, ...change }, 'production');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(text);
  });
});
