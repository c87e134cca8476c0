import { randomBytes } from 'node:crypto';
import { TokenSigner } from '../../../libs/crypto/signed-tokens';

describe('TokenSigner', () => {
  const root = randomBytes(32);
  const cursors = new TokenSigner(root, 'cursor');

  it('when a token it signed comes back, then it yields the payload', () => {
    expect(cursors.verify(cursors.sign('{"id":"x"}'))).toBe('{"id":"x"}');
  });

  it('when any character of the payload or the mac is changed, then it is refused', () => {
    const token = cursors.sign('{"seq":"41"}');
    for (let i = 0; i < token.length; i++) {
      if (token[i] === '.') continue;
      const edited = `${token.slice(0, i)}${token[i] === 'A' ? 'B' : 'A'}${token.slice(i + 1)}`;
      expect(cursors.verify(edited)).toBeUndefined();
    }
  });

  it('when the last character of the mac is spelled differently but decodes to the same bytes, then it is refused', () => {
    const token = cursors.sign('{"seq":"7"}');
    const last = token.at(-1) ?? '';
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    // 32 bytes are 43 characters: the last one carries 4 bits of the mac and 2 bits of padding.
    const sibling = alphabet[(alphabet.indexOf(last) ^ 1) & 63] ?? '';
    expect(cursors.verify(`${token.slice(0, -1)}${sibling}`)).toBeUndefined();
  });

  it('when a payload is re-encoded with a forged mac, then it is refused', () => {
    const forged = `${Buffer.from('{"seq":"0"}').toString('base64url')}.${randomBytes(32).toString('base64url')}`;
    expect(cursors.verify(forged)).toBeUndefined();
  });

  it('when a token was signed for another purpose or under another root key, then it is refused', () => {
    const deviceTokens = new TokenSigner(root, 'device-token');
    const otherRoot = new TokenSigner(randomBytes(32), 'cursor');
    expect(cursors.verify(deviceTokens.sign('p'))).toBeUndefined();
    expect(cursors.verify(otherRoot.sign('p'))).toBeUndefined();
  });

  it.each(['', '.', 'abc', 'a.b.c', '.abc', '\u0000.\u0000', '%%%.%%%'])(
    'when the token is %j, then it is refused without throwing',
    (token) => {
      expect(cursors.verify(token)).toBeUndefined();
    },
  );

  it('when the root key is not 32 bytes, then construction fails', () => {
    expect(() => new TokenSigner(randomBytes(16), 'cursor')).toThrow(RangeError);
  });
});
