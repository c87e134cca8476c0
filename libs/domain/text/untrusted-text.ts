/**
 * Rules for text that arrives from outside (request bodies, queries, path segments, upload names).
 * Written as code-point loops rather than patterns so that no input can make them slow, and shared by
 * every edge that accepts text.
 */

/** Tab, line feed and carriage return: the only C0 characters that free text (a message body) may hold. */
const LINE_BREAKS = new Set([0x09, 0x0a, 0x0d]);

export interface TextProblem {
  /** Index of the first offending UTF-16 unit. */
  index: number;
  reason: 'control_character' | 'lone_surrogate';
}

/**
 * The first C0 control character (U+0000 to U+001F) or lone surrogate in `text`. `allowLineBreaks`
 * lets tab, LF and CR through, for free text; identifiers, names, usernames and passwords allow none.
 * A lone surrogate cannot be encoded as UTF-8 and would reach PostgreSQL as U+FFFD or an error.
 */
export function findTextProblem(text: string, allowLineBreaks: boolean): TextProblem | undefined {
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index);
    if (unit < 0x20) {
      if (allowLineBreaks && LINE_BREAKS.has(unit)) continue;
      return { index, reason: 'control_character' };
    }
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        index++;
        continue;
      }
      return { index, reason: 'lone_surrogate' };
    }
    if (unit >= 0xdc00 && unit <= 0xdfff) return { index, reason: 'lone_surrogate' };
  }
  return undefined;
}

export function describeTextProblem(problem: TextProblem): string {
  return problem.reason === 'control_character'
    ? 'must not contain control characters'
    : 'must be valid Unicode text (it holds a lone surrogate)';
}
