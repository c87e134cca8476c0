import {
  commonPasswords,
  isCommonPassword,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  passwordProblems,
} from '../../../libs/identity/password-policy';
import { hashPassword, verifyPassword } from '../../../libs/identity/passwords';

describe('password policy', () => {
  it('when a long random passphrase is checked, then it has no problems', () => {
    expect(passwordProblems('violet-tractor-42-harbor', { username: 'ms.rivera' })).toEqual([]);
  });

  it('when the password is shorter than the minimum, then it is too short', () => {
    expect(PASSWORD_MIN_LENGTH).toBeGreaterThanOrEqual(12);
    expect(passwordProblems('x7#Kq9!vL2m')).toEqual(['too_short']);
    expect(passwordProblems('x7#Kq9!vL2mZ')).toEqual([]);
  });

  it('when the length is counted, then characters count, not UTF-16 units', () => {
    expect(passwordProblems('🦊🦊🦊🦊🦊🦊🦊🦊🦊🦊🦊')).toEqual(['too_short']);
    expect(passwordProblems('🦊🦊🦊🦊🦊🦊🦊🦊🦊🦊🦊🦊')).toEqual([]);
  });

  it('when the password is longer than the maximum, then it is too long', () => {
    expect(passwordProblems('ab1-'.repeat(PASSWORD_MAX_LENGTH / 4) + 'x')).toEqual(['too_long']);
    expect(passwordProblems('ab1-'.repeat(PASSWORD_MAX_LENGTH / 4))).toEqual([]);
  });

  it('when the password is on the shipped list, in any case, then it is common', () => {
    for (const password of ['password1234', 'PASSWORD1234', 'qwertyuiop123', '123456789012', 'Classof2026']) {
      expect(passwordProblems(password)).toContain('common');
    }
  });

  it('when a listed password is only decorated with digits and symbols, then it is still common', () => {
    expect(isCommonPassword('Password1234!')).toBe(true);
    expect(isCommonPassword('!!Sunshine2024')).toBe(true);
    expect(isCommonPassword('homeroom-2026-09')).toBe(true);
    expect(isCommonPassword('sunshine-and-violets')).toBe(false);
  });

  it('when the list is loaded, then it holds hundreds of lower-case entries without comments', () => {
    const list = commonPasswords();
    expect(list.size).toBeGreaterThan(300);
    expect(list.has('password')).toBe(true);
    expect([...list].every((entry) => entry === entry.toLowerCase() && !entry.startsWith('#'))).toBe(true);
  });

  it('when the password contains the username, in any case, then it is refused', () => {
    expect(passwordProblems('MS.Rivera-2026-spring', { username: 'ms.rivera' })).toEqual([
      'contains_username',
    ]);
    expect(passwordProblems('ms.rivera', { username: 'ms.rivera' })).toEqual([
      'too_short',
      'contains_username',
    ]);
  });

  it('when there is no username or a very short one, then only the other rules apply', () => {
    expect(passwordProblems('violet-tractor-42-harbor', { username: null })).toEqual([]);
    expect(passwordProblems('violet-tractor-42-harbor', { username: 'vi' })).toEqual([]);
  });
});

describe('password hashing', () => {
  it('when a password is hashed, then it is argon2id with at least OWASP parameters and verifies', async () => {
    const hash = await hashPassword('violet-tractor-42-harbor');
    const params = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(hash);
    expect(params).not.toBeNull();
    const [m, t, p] = params!.slice(1).map(Number);
    expect(m).toBeGreaterThanOrEqual(19_456);
    expect(t).toBeGreaterThanOrEqual(2);
    expect(p).toBeGreaterThanOrEqual(1);
    expect(await verifyPassword(hash, 'violet-tractor-42-harbor')).toBe(true);
    expect(await verifyPassword(hash, 'violet-tractor-42-harbour')).toBe(false);
  });

  it('when the stored value is not an argon2 hash, then verification fails instead of throwing', async () => {
    expect(await verifyPassword('not-a-hash', 'anything')).toBe(false);
  });
});
