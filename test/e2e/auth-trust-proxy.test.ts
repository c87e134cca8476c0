import { randomInt } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { type Database } from '../../libs/db/database';
import { addressThrottleKey } from '../../libs/identity/login-throttle';
import { testApiConfig } from '../support/config';
import { createDistrict, openTestDatabase, type TestDatabase } from '../support/factories';
import { type RunningApi, startApi } from '../support/http';
import { rowsOf } from '../support/database';

/**
 * Through real TCP connections from chosen loopback source addresses: 127.0.0.1 plays the trusted
 * reverse proxy, another address of 127.0.0.0/8 an untrusted client connecting directly.
 */
describe('TRUST_PROXY: whose X-Forwarded-For the sign-in limits believe', () => {
  let database: TestDatabase;
  let db: Database;
  let districtId: string;
  /** TRUST_PROXY=127.0.0.1; three failures per address. */
  let behindProxy: RunningApi;
  /** TRUST_PROXY=1: the peer is one trusted hop, whoever it is. */
  let oneHop: RunningApi;

  beforeAll(async () => {
    database = openTestDatabase();
    db = database.db;
    const limits = { LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '3', LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: '1000' };
    [behindProxy, oneHop] = await Promise.all([
      startApi(testApiConfig({ ...limits, TRUST_PROXY: '127.0.0.1' })),
      startApi(testApiConfig({ ...limits, TRUST_PROXY: '1' })),
    ]);
    districtId = await createDistrict(db);
  });
  afterAll(async () => {
    await Promise.all([behindProxy?.close(), oneHop?.close()]);
    await database?.close();
  });

  /** A failing sign-in sent from `source` over its own TCP connection; resolves to the status. */
  const failFrom = (api: RunningApi, source: string, forwardedFor?: string) =>
    new Promise<number>((resolve, reject) => {
      const body = JSON.stringify({ districtId, username: 'nobody', password: 'not-the-password' });
      const { port } = new URL(api.baseUrl);
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          localAddress: source,
          method: 'POST',
          path: '/v1/auth/login',
          agent: false,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  /** Distinct addresses of TEST-NET-2; counters outlive a run, so tests compare before and after. */
  const documentationAddresses = (n: number) => {
    const first = randomInt(1, 255 - n);
    return Array.from({ length: n }, (_, i) => `198.51.100.${first + i}`);
  };
  const untrustedPeer = () => `127.${randomInt(1, 255)}.${randomInt(256)}.${randomInt(1, 255)}`;
  const counted = async (address: string) =>
    (await rowsOf(db).rateLimitCounter.findMany({ where: { key: addressThrottleKey(address) } })).reduce(
      (sum, row) => sum + Number(row.count),
      0,
    );
  const countedEach = (addresses: string[]) => Promise.all(addresses.map(counted));

  it('when an untrusted peer sends a spoofed X-Forwarded-For, then the limits see the peer and a new header each time buys nothing', async () => {
    const peer = untrustedPeer();
    const [a, b, c] = documentationAddresses(3);
    const spoofed = [a!, `${b}, ${c}`, '127.0.0.1', c!];
    const [peerBefore, ...spoofedBefore] = await countedEach([peer, a!, b!, c!]);
    const statuses = [];
    for (const header of spoofed) statuses.push(await failFrom(behindProxy, peer, header));
    expect(statuses).toEqual([401, 401, 401, 429]);
    const [peerAfter, ...spoofedAfter] = await countedEach([peer, a!, b!, c!]);
    expect(peerAfter).toBe(peerBefore! + 4);
    expect(spoofedAfter).toEqual(spoofedBefore);
  });

  it('when the trusted proxy forwards the real client address, then the limits count each client apart', async () => {
    const clients = documentationAddresses(4);
    const before = await countedEach(clients);
    const statuses = [];
    for (const client of clients) statuses.push(await failFrom(behindProxy, '127.0.0.1', client));
    expect(statuses).toEqual([401, 401, 401, 401]);
    expect(await countedEach(clients)).toEqual(before.map((count) => count + 1));
  });

  it('when one trusted hop appends to a header the client already spoofed, then only the address it added counts', async () => {
    const [spoofed, real] = documentationAddresses(2) as [string, string];
    const before = await countedEach([spoofed, real]);
    expect(await failFrom(oneHop, '127.0.0.1', `${spoofed}, ${real}`)).toBe(401);
    expect(await countedEach([spoofed, real])).toEqual([before[0], before[1]! + 1]);
  });
});
