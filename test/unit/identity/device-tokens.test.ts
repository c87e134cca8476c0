import { randomBytes } from 'node:crypto';
import { TokenSigner } from '../../../libs/crypto/signed-tokens';
import { DeviceTokens } from '../../../libs/identity/device-tokens';

describe('device tokens', () => {
  const root = randomBytes(32);
  const ttlSeconds = 3600;
  const tokens = new DeviceTokens(new TokenSigner(root, 'device-token'), ttlSeconds);
  const account = {
    districtId: '6f1c0e0a-5f55-4f5e-9d55-1d2b3c4d5e6f',
    userId: '0b8e3c1e-44a3-4a7e-9f0b-2f1d7c9a6b11',
  };
  const now = new Date('2026-12-07T08:00:00.000Z');

  it('when a token it issued comes back for its account, then it yields the account, a nonce and the expiry', () => {
    const issued = tokens.issue(account.districtId, account.userId, now);
    expect(issued.expiresAt.toISOString()).toBe('2026-12-07T09:00:00.000Z');
    const device = tokens.readFor(issued.token, account, now);
    expect(device).toEqual({
      ...account,
      nonce: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      expiresAt: issued.expiresAt,
    });
  });

  it('when two sign-ins get tokens, then their nonces differ (each device has its own counter)', () => {
    const nonces = new Set(
      Array.from(
        { length: 50 },
        () => tokens.read(tokens.issue(account.districtId, account.userId, now).token, now)!.nonce,
      ),
    );
    expect(nonces.size).toBe(50);
  });

  it('when the token is for another user or another district, then it counts as none', () => {
    const { token } = tokens.issue(account.districtId, account.userId, now);
    expect(
      tokens.readFor(token, { ...account, userId: '7d5a0c2e-1111-4a7e-9f0b-2f1d7c9a6b11' }, now),
    ).toBeUndefined();
    expect(
      tokens.readFor(token, { ...account, districtId: '7d5a0c2e-2222-4a7e-9f0b-2f1d7c9a6b11' }, now),
    ).toBeUndefined();
  });

  it('when the token has expired, then it counts as none', () => {
    const { token } = tokens.issue(account.districtId, account.userId, now);
    expect(tokens.readFor(token, account, new Date(now.getTime() + ttlSeconds * 1000 - 1))).toBeDefined();
    expect(tokens.readFor(token, account, new Date(now.getTime() + ttlSeconds * 1000))).toBeUndefined();
  });

  it('when the token was edited, signed under another key or purpose, or is garbage, then it counts as none', () => {
    const { token } = tokens.issue(account.districtId, account.userId, now);
    const [body = '', mac = ''] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString('utf8')), u: 'someone-else' }),
    ).toString('base64url');
    const cursorSigner = new TokenSigner(root, 'cursor');
    const otherKey = new DeviceTokens(new TokenSigner(randomBytes(32), 'device-token'), ttlSeconds);
    for (const bad of [
      `${forged}.${mac}`,
      cursorSigner.sign(Buffer.from(body, 'base64url').toString('utf8')),
      otherKey.issue(account.districtId, account.userId, now).token,
      '',
      'not-a-token',
      '.',
      `${body}.`,
    ]) {
      expect(tokens.readFor(bad, account, now)).toBeUndefined();
    }
    expect(tokens.readFor(undefined, account, now)).toBeUndefined();
  });

  it('when a signed payload is not a device token shape, then it counts as none', () => {
    const signer = new TokenSigner(root, 'device-token');
    for (const payload of ['null', '[]', '"x"', '{"d":1,"u":"x","n":"y","e":9999999999}', '{', '{"d":"a"}']) {
      expect(tokens.read(signer.sign(payload), now)).toBeUndefined();
    }
  });
});
