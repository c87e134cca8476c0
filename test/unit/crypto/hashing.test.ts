import { constantTimeEqual, hashToken, randomToken, sha256Hex } from '../../../libs/crypto/hashing';

describe('hashing helpers', () => {
  it('when hashing a known input, then sha256Hex gives the standard digest for strings and bytes', () => {
    const abcDigest = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    expect(sha256Hex('abc')).toBe(abcDigest);
    expect(sha256Hex(Buffer.from('abc'))).toBe(abcDigest);
  });

  it('when generating tokens, then they are base64url of the requested length and never repeat', () => {
    const tokens = Array.from({ length: 1_000 }, () => randomToken());
    expect(new Set(tokens).size).toBe(tokens.length);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(randomToken(48), 'base64url')).toHaveLength(48);
  });

  it('when asked for a token shorter than 16 bytes, then it refuses', () => {
    expect(() => randomToken(8)).toThrow(RangeError);
    expect(() => randomToken(16.5)).toThrow(RangeError);
  });

  it('when a token is hashed for storage, then the hash is stable and does not contain the token', () => {
    const token = randomToken();
    expect(hashToken(token)).toBe(hashToken(token));
    expect(hashToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashToken(token)).not.toContain(token);
    expect(hashToken(token)).not.toBe(hashToken(randomToken()));
  });

  it('when comparing secrets, then only identical values are equal, whatever their lengths', () => {
    expect(constantTimeEqual('secret-value', 'secret-value')).toBe(true);
    expect(constantTimeEqual(Buffer.from('secret-value'), 'secret-value')).toBe(true);
    expect(constantTimeEqual('secret-value', 'secret-valuf')).toBe(false);
    expect(constantTimeEqual('secret-value', 'secret')).toBe(false);
    expect(constantTimeEqual('', 'x')).toBe(false);
  });
});
