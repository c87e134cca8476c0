import { canonicalDistrictId, canonicalUsername } from '../../../libs/domain/identity/canonical-identifiers';

describe('canonical sign-in identifiers', () => {
  const district = '6f1c0e0a-5f55-4f5e-9d55-1d2b3c4d5e6f';

  it.each([
    [district.toUpperCase()],
    [`  ${district}\t`],
    [`\n${district.toUpperCase()} `],
    ['6F1C0E0A-5f55-4F5E-9d55-1D2B3C4D5E6F'],
  ])('when a district id is spelled %j, then it becomes the lower-case id', (spelling) => {
    expect(canonicalDistrictId(spelling)).toBe(district);
  });

  it('when a username is decomposed (NFD), then it becomes the composed (NFC) spelling', () => {
    const decomposed = 'zoe\u0301.martin';
    expect(canonicalUsername(decomposed)).toBe('zo\u00e9.martin');
    expect(canonicalUsername(decomposed)).toBe(canonicalUsername('zo\u00e9.martin'));
  });

  it.each([' ms.rivera', 'ms.rivera\t', '\u00a0ms.rivera\u3000', '\ufeffms.rivera', '\u2003ms.rivera\u2028'])(
    'when a username is surrounded by Unicode whitespace (%j), then it is dropped',
    (spelling) => {
      expect(canonicalUsername(spelling)).toBe('ms.rivera');
    },
  );

  it('when usernames differ in letter case or inside, then they stay different accounts', () => {
    expect(canonicalUsername('Ms.Rivera')).toBe('Ms.Rivera');
    expect(canonicalUsername('Ms.Rivera')).not.toBe(canonicalUsername('ms.rivera'));
    expect(canonicalUsername('ms rivera')).toBe('ms rivera');
  });

  it('when a username holds a control character, then it is kept for validation to refuse', () => {
    expect(canonicalUsername('bob\u0000')).toBe('bob\u0000');
  });

  it('when a spelling is already canonical, then canonicalising again changes nothing', () => {
    for (const spelling of [' Zoe\u0301 ', 'ℌ', '\u1e9b\u0323', 'ﬁ']) {
      const once = canonicalUsername(spelling);
      expect(canonicalUsername(once)).toBe(once);
    }
    // NFC, not NFKC: compatibility characters such as the "ﬁ" ligature are not folded into "fi".
    expect(canonicalUsername('ﬁ')).toBe('ﬁ');
  });
});
