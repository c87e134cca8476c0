import { randomBytes } from 'node:crypto';
import {
  MIN_PASSWORD_SCORE,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  passwordProblems,
  passwordScore,
} from '../../../libs/identity/password-policy';
import { hashPassword, verifyPassword } from '../../../libs/identity/passwords';
import { strongPassword } from '../../support/factories';

const teacher = { role: 'teacher' as const, username: 'ms.rivera', givenName: 'Elena', familyName: 'Rivera' };
const student = { role: 'student' as const, username: 'jo.park', givenName: 'Jo', familyName: 'Park' };

describe('password policy', () => {
  it('when a long random passphrase is checked, then it has no problems for any role', () => {
    for (const role of ['student', 'guardian', 'teacher', 'school_admin', 'district_admin'] as const) {
      expect(passwordProblems('violet-tractor-42-harbor-quince', { role, username: 'ms.rivera' })).toEqual(
        [],
      );
    }
  });

  it("when the factories' strong passwords are checked, then every one passes for an administrator", () => {
    for (let i = 0; i < 50; i += 1) {
      expect(passwordProblems(strongPassword(), { role: 'district_admin', username: 'ops.admin' })).toEqual(
        [],
      );
    }
  });

  it('when the password is shorter than the minimum, then it is too short (counted in characters)', () => {
    expect(passwordProblems('x7#Kq9!vL2m', student)).toContain('too_short');
    expect(passwordProblems(`x7#Kq9!vL2mZ`, student)).toEqual([]);
    expect(passwordProblems('🦊🦊🦊🦊🦊🦊🦊🦊🦊🦊🦊', student)).toContain('too_short');
  });

  it('when the password is longer than the maximum, then it is too long and not estimated', () => {
    expect(passwordProblems('ab1-'.repeat(PASSWORD_MAX_LENGTH / 4) + 'x', student)).toEqual(['too_long']);
    expect(
      passwordProblems(randomBytes(96).toString('base64url').slice(0, PASSWORD_MAX_LENGTH), student),
    ).toEqual([]);
  });

  it.each([
    'password1234',
    'PASSWORD1234',
    'Password1234!',
    'qwertyuiop123',
    '123456789012',
    'iloveyou2024!',
    'P@ssw0rd2024!',
    'sunshine12345',
    'basketball2023',
  ])(
    'when %s (a common password, decorated or l33t) is checked, then it is too guessable for anyone',
    (password) => {
      for (const context of [student, teacher]) {
        expect(passwordProblems(password, context)).toContain('too_guessable');
      }
    },
  );

  it("when the password is built from the person's own names, then they count as known words", () => {
    const person = {
      role: 'teacher' as const,
      username: 'a.okonkwo',
      givenName: 'Adaeze',
      familyName: 'Okonkwo',
    };
    for (const password of ['AdaezeOkonkwo1', 'Okonkwo-Adaeze', 'Adaeze*2013*']) {
      expect(passwordProblems(password, { role: 'teacher' })).toEqual([]);
      expect(passwordProblems(password, person)).toEqual(['too_guessable']);
    }
  });

  it('when a password is fine for a student but not strong enough for staff, then the role decides', () => {
    expect(MIN_PASSWORD_SCORE.teacher).toBeGreaterThan(MIN_PASSWORD_SCORE.student);
    for (const middling of ['summerbreeze22', 'greenapple1234', 'soccermom2010']) {
      expect(passwordScore(middling)).toBe(MIN_PASSWORD_SCORE.student);
      expect(passwordProblems(middling, { role: 'student' })).toEqual([]);
      expect(passwordProblems(middling, { role: 'guardian' })).toEqual([]);
      for (const role of ['teacher', 'school_admin', 'district_admin'] as const) {
        expect(passwordProblems(middling, { role })).toEqual(['too_guessable']);
      }
    }
  });

  it('when the password contains the username, in any case, then it is refused', () => {
    expect(passwordProblems('MS.Rivera-violet-tractor-quince', teacher)).toEqual(['contains_username']);
  });

  it('when there is no username or a very short one, then only the other rules apply', () => {
    expect(passwordProblems('violet-tractor-42-harbor', { role: 'teacher', username: null })).toEqual([]);
    expect(passwordProblems('violet-tractor-42-harbor', { role: 'teacher', username: 'vi' })).toEqual([]);
  });

  it('when the length is at the minimum, then the minimum is what the constant says', () => {
    expect(PASSWORD_MIN_LENGTH).toBe(12);
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
