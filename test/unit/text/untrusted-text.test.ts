import { inspect, INPUT_LIMITS } from '../../../apps/api/src/common/hostile-input.pipe';
import { findTextProblem } from '../../../libs/domain/text/untrusted-text';

describe('findTextProblem', () => {
  it.each([
    ['plain text', 'Field trip on Friday', true],
    ['emoji (a valid surrogate pair)', 'Great job 🎉👍', true],
    ['accents and scripts', 'Mañana — Tiếng Việt — 数学', true],
    ['DEL and C1 characters (not C0)', 'a\u007fb\u0085c', true],
    ['tab and line breaks in free text', 'a\tb\r\nc', true],
  ])('when the text is %s, then it passes', (_what, text, allowLineBreaks) => {
    expect(findTextProblem(text, allowLineBreaks)).toBeUndefined();
  });

  it.each([
    ['NUL', 'ab\u0000', 2, 'control_character'],
    ['a bell', '\u0007', 0, 'control_character'],
    ['unit separator', 'x\u001f', 1, 'control_character'],
    ['a lone high surrogate at the end', 'ok\ud83d', 2, 'lone_surrogate'],
    ['a lone low surrogate', '\ude00x', 0, 'lone_surrogate'],
    ['two high surrogates', '\ud83d\ud83d\ude00', 0, 'lone_surrogate'],
  ])('when the text holds %s, then the first offending index is reported', (_what, text, index, reason) => {
    expect(findTextProblem(text, true)).toEqual({ index, reason });
  });

  it('when line breaks are not allowed, then tab, LF and CR are control characters too', () => {
    for (const text of ['a\tb', 'a\nb', 'a\rb']) {
      expect(findTextProblem(text, false)).toEqual({ index: 1, reason: 'control_character' });
    }
  });
});

describe('inspect (the hostile-input check)', () => {
  const nested = (levels: number): unknown => {
    let value: unknown = 'leaf';
    for (let i = 0; i < levels; i++) value = { a: value };
    return value;
  };

  it('when a value is as deep as allowed, then it passes; one level more is refused', () => {
    expect(inspect(nested(INPUT_LIMITS.maxDepth), true)).toBeUndefined();
    expect(inspect(nested(INPUT_LIMITS.maxDepth + 1), true)?.message).toMatch(/nested too deeply/);
  });

  it('when a value is a million levels deep, then it is refused without exhausting the stack', () => {
    let value: unknown = 1;
    for (let i = 0; i < 1_000_000; i++) value = [value];
    expect(inspect(value, true)?.message).toMatch(/nested too deeply/);
  });

  it('when keys and items together exceed the limit, then it is refused', () => {
    const wide = { a: Array.from({ length: INPUT_LIMITS.maxNodes }, () => 1) };
    expect(inspect({ a: wide.a.slice(1) }, true)).toBeUndefined();
    expect(inspect(wide, true)?.message).toMatch(/too many keys or items/);
  });

  it('when a nested string holds a control character, then the path names it', () => {
    expect(inspect({ items: [{ note: 'ok' }, { note: 'bad\u0000' }] }, true)).toEqual({
      path: 'items.1.note',
      message: 'must not contain control characters',
    });
  });

  it('when a property name is long, holds a control character or names the prototype, then it is refused', () => {
    expect(inspect({ ['k'.repeat(INPUT_LIMITS.maxPropertyNameLength + 1)]: 1 }, true)?.message).toMatch(
      /longer/,
    );
    expect(inspect({ 'a\nb': 1 }, true)?.message).toMatch(/property name that must not contain control/);
    expect(inspect(JSON.parse('{"__proto__": {"admin": true}}'), true)?.message).toBe(
      'must not have a property named __proto__',
    );
  });

  it('when line breaks are not allowed (query, path), then a newline in a value is refused', () => {
    expect(inspect({ sourcedId: 'a\nb' }, false)?.path).toBe('sourcedId');
    expect(inspect({ body: 'a\nb' }, true)).toBeUndefined();
  });
});
