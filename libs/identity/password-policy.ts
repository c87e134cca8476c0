import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findRepositoryRoot } from '../db/migrate';

/**
 * What a new password must satisfy, after NIST SP 800-63B §5.1.1.2: long enough, not absurdly long,
 * not on a list of passwords attackers try first, and not the person's own username. No composition
 * rules (they push people to "Password1!"-style choices that are on every cracking list anyway).
 */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

export type PasswordProblem = 'too_short' | 'too_long' | 'common' | 'contains_username';

export interface PasswordContext {
  username?: string | null;
}

const MESSAGES: Record<PasswordProblem, string> = {
  too_short: `must be at least ${PASSWORD_MIN_LENGTH} characters long`,
  too_long: `must be at most ${PASSWORD_MAX_LENGTH} characters long`,
  common: 'is too common: it appears on lists of passwords attackers try first',
  contains_username: 'must not contain the username',
};

export function describePasswordProblem(problem: PasswordProblem): string {
  return MESSAGES[problem];
}

/** Every rule the password breaks, in a fixed order; empty when it is acceptable. */
export function passwordProblems(password: string, context: PasswordContext = {}): PasswordProblem[] {
  const problems: PasswordProblem[] = [];
  // Code points, not UTF-16 units: an emoji is one character to the person typing it.
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) problems.push('too_short');
  if (length > PASSWORD_MAX_LENGTH) problems.push('too_long');
  if (isCommonPassword(password)) problems.push('common');
  if (containsUsername(password, context.username)) problems.push('contains_username');
  return problems;
}

/**
 * On the shipped list, ignoring case, either as typed or once the digits and symbols people add at
 * either end are taken away: "Password1234!" is "password" with decoration, and cracking tools try
 * exactly those decorations first.
 */
export function isCommonPassword(password: string): boolean {
  const lowered = password.toLowerCase();
  const list = commonPasswords();
  if (list.has(lowered)) return true;
  const core = lowered.replace(/^[^a-z]+|[^a-z]+$/g, '');
  return core.length >= 4 && list.has(core);
}

function containsUsername(password: string, username: string | null | undefined): boolean {
  if (!username || username.length < 3) return false;
  return password.toLowerCase().includes(username.toLowerCase());
}

let cached: ReadonlySet<string> | undefined;

/** libs/identity/common-passwords.txt: one password a line, `#` comments; read once per process. */
export function commonPasswords(): ReadonlySet<string> {
  cached ??= new Set(
    readFileSync(join(findRepositoryRoot(__dirname), 'libs', 'identity', 'common-passwords.txt'), 'utf8')
      .split('\n')
      .map((line) => line.trim().toLowerCase())
      .filter((line) => line !== '' && !line.startsWith('#')),
  );
  return cached;
}
