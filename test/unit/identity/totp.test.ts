import {
  base32Decode,
  base32Encode,
  hotp,
  matchTotpStep,
  otpauthUrl,
  totpAt,
  totpStep,
  type TotpAlgorithm,
} from '../../../libs/identity/totp';

/** RFC 6238 Appendix B: the seeds are ASCII digits, 20/32/64 bytes for SHA1/SHA256/SHA512. */
const SEEDS: Record<TotpAlgorithm, Buffer> = {
  sha1: Buffer.from('12345678901234567890', 'ascii'),
  sha256: Buffer.from('12345678901234567890123456789012', 'ascii'),
  sha512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234', 'ascii'),
};

const RFC_6238_VECTORS: [seconds: number, sha1: string, sha256: string, sha512: string][] = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];

const secret = SEEDS.sha1;
const at = (seconds: number) => seconds * 1000;

describe('TOTP (RFC 6238)', () => {
  it.each(RFC_6238_VECTORS)(
    'when the time is %i s, then the 8-digit codes match Appendix B',
    (seconds, sha1, sha256, sha512) => {
      const eight = (algorithm: TotpAlgorithm) =>
        totpAt(SEEDS[algorithm], at(seconds), { digits: 8, periodSeconds: 30, algorithm });
      expect(eight('sha1')).toBe(sha1);
      expect(eight('sha256')).toBe(sha256);
      expect(eight('sha512')).toBe(sha512);
    },
  );

  it('when HOTP runs on the RFC 4226 Appendix D secret, then its first codes match the RFC', () => {
    const codes = [0, 1, 2, 3, 9].map((counter) => hotp(secret, counter));
    expect(codes).toEqual(['755224', '287082', '359152', '969429', '520489']);
  });

  it('when the default parameters are used, then codes are the last 6 digits of the 8-digit ones', () => {
    expect(totpAt(secret, at(59))).toBe('287082');
    expect(totpAt(secret, at(1111111109))).toBe('081804');
  });

  it('when a code of the current step is checked, then its step is returned', () => {
    const now = at(1234567890);
    expect(matchTotpStep(secret, totpAt(secret, now), now)).toBe(totpStep(now));
  });

  it('when a code is one step early or late, then it is still accepted (clock drift)', () => {
    const now = at(1234567890);
    const step = totpStep(now);
    expect(matchTotpStep(secret, totpAt(secret, now - 30_000), now)).toBe(step - 1);
    expect(matchTotpStep(secret, totpAt(secret, now + 30_000), now)).toBe(step + 1);
  });

  it('when a code is two steps away, then it is refused', () => {
    const now = at(1234567890);
    expect(matchTotpStep(secret, totpAt(secret, now - 60_000), now)).toBeNull();
    expect(matchTotpStep(secret, totpAt(secret, now + 60_000), now)).toBeNull();
  });

  it('when the code is wrong or not six digits, then nothing matches', () => {
    const now = at(1234567890);
    const good = totpAt(secret, now);
    const wrong = String((Number(good) + 1) % 1_000_000).padStart(6, '0');
    expect(matchTotpStep(secret, wrong, now)).toBeNull();
    for (const malformed of ['', '12345', '1234567', 'abcdef', `${good} `, ' 12345']) {
      expect(matchTotpStep(secret, malformed, now)).toBeNull();
    }
  });

  it('when the secret differs, then the code does not match', () => {
    const now = at(1234567890);
    expect(matchTotpStep(Buffer.from('09876543210987654321'), totpAt(secret, now), now)).toBeNull();
  });
});

describe('base32 and otpauth URLs', () => {
  it.each([
    ['', ''],
    ['f', 'MY'],
    ['fo', 'MZXQ'],
    ['foo', 'MZXW6'],
    ['foob', 'MZXW6YQ'],
    ['fooba', 'MZXW6YTB'],
    ['foobar', 'MZXW6YTBOI'],
  ])('when %j is encoded, then it is the RFC 4648 base32 %j and decodes back', (plain, encoded) => {
    expect(base32Encode(Buffer.from(plain))).toBe(encoded);
    expect(base32Decode(encoded).toString()).toBe(plain);
    expect(base32Decode(`${encoded.toLowerCase()}===`).toString()).toBe(plain);
  });

  it('when base32 text holds a character outside the alphabet, then decoding refuses it', () => {
    expect(() => base32Decode('MZXW1')).toThrow(RangeError);
  });

  it('when an enrolment URL is built, then it follows the Key Uri Format with the secret in base32', () => {
    const url = otpauthUrl(secret, 'Homeroom', 'ms.rivera');
    expect(url).toBe(
      'otpauth://totp/Homeroom:ms.rivera?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Homeroom&algorithm=SHA1&digits=6&period=30',
    );
  });

  it('when the account name has reserved characters, then the label escapes them', () => {
    const url = new URL(otpauthUrl(secret, 'Homeroom Dev', 'a b:c@d'));
    expect(url.host).toBe('totp');
    expect(url.pathname).toBe('/Homeroom%20Dev:a%20b%3Ac%40d');
    expect(url.searchParams.get('issuer')).toBe('Homeroom Dev');
  });
});
