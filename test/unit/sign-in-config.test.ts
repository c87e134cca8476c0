import { loadApiConfig } from '../../libs/config/config';
import { configProblems, minimalValidEnv } from '../support/config-env';

const env = (trustProxy?: string) => ({
  ...minimalValidEnv(),
  ...(trustProxy === undefined ? {} : { TRUST_PROXY: trustProxy }),
});
const problemsOf = (trustProxy: string) => configProblems(() => loadApiConfig(env(trustProxy)));

describe('TRUST_PROXY', () => {
  it('when it is not set, then only loopback peers are trusted (the local stack as before)', () => {
    expect(loadApiConfig(env()).TRUST_PROXY).toEqual(['loopback']);
  });

  it.each([
    ['0', 0],
    ['2', 2],
    ['10.0.0.0/8', ['10.0.0.0/8']],
    [' 10.1.2.3, 192.168.0.0/16 ,fd00::/8', ['10.1.2.3', '192.168.0.0/16', 'fd00::/8']],
    ['loopback,uniquelocal,linklocal', ['loopback', 'uniquelocal', 'linklocal']],
    ['2001:db8::1/128', ['2001:db8::1/128']],
  ])('when it is %j, then Express gets %j', (value, expected) => {
    expect(loadApiConfig(env(value)).TRUST_PROXY).toEqual(expected);
  });

  it.each([
    '',
    'true',
    'everyone',
    '10.0.0.0/33',
    '2001:db8::/129',
    '10.0.0.0/8/1',
    '10.0.0.0/x',
    '1.2.3',
    '-1',
    '10.0.0.0/8,',
  ])('when it is %j, then start-up fails naming TRUST_PROXY', (value) => {
    expect(problemsOf(value)).toEqual([expect.stringMatching(/^TRUST_PROXY: must be a hop count or/)]);
  });
});

describe('sign-in limit defaults', () => {
  it('when nothing is set, then 5 failures per account bucket, 50 per address, in 15-minute windows, device tokens for 90 days', () => {
    const config = loadApiConfig(env());
    expect([
      config.LOGIN_MAX_ATTEMPTS_PER_ACCOUNT,
      config.LOGIN_MAX_ATTEMPTS_PER_ADDRESS,
      config.LOGIN_RATE_WINDOW_SECONDS,
      config.LOGIN_DEVICE_TOKEN_TTL_DAYS,
    ]).toEqual([5, 50, 900, 90]);
  });
});
