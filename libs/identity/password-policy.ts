import { type Score, ZxcvbnFactory } from '@zxcvbn-ts/core';
import { type UserRole } from '../db/types';
import { ValidationFailedError } from '../domain/errors/domain-errors';
import * as zxcvbnCommon from '@zxcvbn-ts/language-common';
import * as zxcvbnEnglish from '@zxcvbn-ts/language-en';

/**
 * What a new password must satisfy, after NIST SP 800-63B §5.1.1.2: long enough, not absurdly long,
 * not guessable by what attackers try first (zxcvbn's estimate against its maintained dictionaries of
 * leaked passwords, common words and names, keyboard patterns, dates and l33t variants, with the
 * person's own names as extra words), and not the person's own username. No composition rules (they
 * push people to "Password1!"-style choices that are on every cracking list anyway).
 */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

/**
 * zxcvbn's score (0–4, 4: more than 10^10 guesses) a password needs, by role: accounts that reach
 * many children or the whole district need the hardest ones.
 */
export const MIN_PASSWORD_SCORE: Readonly<Record<UserRole, Score>> = {
  student: 3,
  guardian: 3,
  teacher: 4,
  school_admin: 4,
  district_admin: 4,
};

export type PasswordProblem = 'too_short' | 'too_long' | 'too_guessable' | 'contains_username';

export interface PasswordContext {
  role: UserRole;
  username?: string | null;
  givenName?: string | null;
  familyName?: string | null;
}

const MESSAGES: Record<PasswordProblem, string> = {
  too_short: `must be at least ${PASSWORD_MIN_LENGTH} characters long`,
  too_long: `must be at most ${PASSWORD_MAX_LENGTH} characters long`,
  too_guessable:
    'is too easy to guess: it is built from common passwords, words, names (yours included), dates or keyboard patterns',
  contains_username: 'must not contain the username',
};

export function describePasswordProblem(problem: PasswordProblem): string {
  return MESSAGES[problem];
}

/** Every rule the password breaks, in a fixed order; empty when it is acceptable. */
export function passwordProblems(password: string, context: PasswordContext): PasswordProblem[] {
  const problems: PasswordProblem[] = [];
  // Code points, not UTF-16 units: an emoji is one character to the person typing it.
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) problems.push('too_short');
  if (length > PASSWORD_MAX_LENGTH) problems.push('too_long');
  // The estimate is only run on lengths the API accepts, so its cost stays bounded.
  else if (passwordScore(password, context) < MIN_PASSWORD_SCORE[context.role])
    problems.push('too_guessable');
  if (containsUsername(password, context.username)) problems.push('contains_username');
  return problems;
}

/** zxcvbn's score for the password, with the person's own names and username as known words. */
export function passwordScore(password: string, context: Omit<PasswordContext, 'role'> = {}): Score {
  const userInputs = [context.username, context.givenName, context.familyName].filter(
    (input): input is string => typeof input === 'string' && input.length > 0,
  );
  return estimator().check(password, userInputs).score;
}

function containsUsername(password: string, username: string | null | undefined): boolean {
  if (!username || username.length < 3) return false;
  return password.toLowerCase().includes(username.toLowerCase());
}

let cached: ZxcvbnFactory | undefined;

/** Built once per process: loading the dictionaries is the expensive part. */
function estimator(): ZxcvbnFactory {
  cached ??= new ZxcvbnFactory({
    translations: zxcvbnEnglish.translations,
    graphs: zxcvbnCommon.adjacencyGraphs,
    dictionary: { ...zxcvbnCommon.dictionary, ...zxcvbnEnglish.dictionary },
  });
  return cached;
}

/** The policy as a 400 VALIDATION_FAILED naming every rule the password breaks. */
export function requireAcceptablePassword(password: string, context: PasswordContext): void {
  const problems = passwordProblems(password, context);
  if (problems.length === 0) return;
  const details = problems.map((problem) => ({
    field: 'password',
    message: describePasswordProblem(problem),
  }));
  throw new ValidationFailedError(`The password ${details.map((d) => d.message).join(' and ')}.`, details);
}
