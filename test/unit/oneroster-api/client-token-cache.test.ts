import {
  OneRosterClient,
  OneRosterRefusedError,
  OneRosterTokenCache,
  OneRosterUnavailableError,
} from '../../../libs/adapters/oneroster-api';
import { OneRosterRestStandIn } from '../../support/oneroster-rest-stand-in';

/** The client alone against the loopback stand-in provider (the stand-in issues tokens for 3,600 s). */
describe('OneRoster REST client tokens and errors (stand-in provider on loopback)', () => {
  let provider: OneRosterRestStandIn;
  let clock = Date.parse('2026-12-06T12:00:00Z');
  const credentials = { clientId: 'unit-client', clientSecret: 'unit-secret' };

  beforeAll(async () => {
    provider = await OneRosterRestStandIn.start(credentials);
  });

  afterAll(async () => {
    await provider?.close();
  });

  const clientFor = (
    tokens: OneRosterTokenCache,
    overrides: { clientSecret?: string; tenant?: string } = {},
  ) =>
    new OneRosterClient(
      {
        tenant: 'district-a',
        baseUrl: provider.baseUrl,
        tokenUrl: provider.tokenUrl,
        ...credentials,
        ...overrides,
      },
      { pageSize: 3, timeoutMs: 5_000, maxResponseBytes: 1_000_000, tokens, now: () => clock },
    );
  const tokenRequests = () => provider.requests.filter((request) => request.collection === 'token').length;

  it('when pages are fetched, then one token serves them until shortly before it expires, and never another tenant', async () => {
    provider.serve('v1.1-vendor-quirks');
    const tokens = new OneRosterTokenCache();
    const client = clientFor(tokens);

    const first = await client.page('users', null);
    await client.page('users', first.next);
    clock += 3_000_000; // 50 minutes: still inside the hour
    await client.page('orgs', null);
    expect(tokenRequests()).toBe(1);

    clock += 580_000; // within 30 s of expiry: renewed before it can expire in flight
    await client.page('orgs', null);
    expect(tokenRequests()).toBe(2);

    await clientFor(tokens, { tenant: 'district-b' }).page('orgs', null);
    expect(tokenRequests()).toBe(3);
  });

  it('when the credentials are wrong, then the client is refused without retrying', async () => {
    provider.serve('v1.1-vendor-quirks');
    const attempt = clientFor(new OneRosterTokenCache(), { clientSecret: 'wrong' }).page('orgs', null);
    await expect(attempt).rejects.toBeInstanceOf(OneRosterRefusedError);
    expect(provider.requests.map((request) => `${request.collection}:${request.status}`)).toEqual([
      'token:401',
    ]);
  });

  it('when the provider answers 500 or 429, then the client reports it as retryable, with the Retry-After, and does not loop', async () => {
    provider.serve('v1.1-vendor-quirks', [
      { collection: 'orgs', offset: 0, kind: '500' },
      { collection: 'classes', offset: 0, kind: '429', retryAfterSeconds: 7 },
    ]);
    const client = clientFor(new OneRosterTokenCache());
    await expect(client.page('orgs', null)).rejects.toMatchObject({ name: 'OneRosterUnavailableError' });
    const limited = client.page('classes', null);
    await expect(limited).rejects.toBeInstanceOf(OneRosterUnavailableError);
    await expect(limited).rejects.toMatchObject({ retryAfterMs: 7_000 });
    expect(
      provider.requests.filter((request) => request.collection !== 'token').map((r) => r.status),
    ).toEqual([500, 429]);
  });
});
