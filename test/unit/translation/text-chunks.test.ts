import fc from 'fast-check';
import {
  joinTranslatedChunks,
  splitForTranslation,
  utf8Bytes,
} from '../../../libs/domain/translation/text-chunks';

const LIMIT = 10_000;

function sentence(i: number): string {
  return `Sentence number ${i} tells the families about the field trip on Friday.`;
}

/** A paragraph of about `bytes` bytes of whole sentences. */
function paragraph(bytes: number, offset = 0): string {
  const sentences: string[] = [];
  for (let i = offset; utf8Bytes(sentences.join(' ')) < bytes; i++) sentences.push(sentence(i));
  return sentences.join(' ');
}

function roundTrips(text: string, maxBytes = LIMIT): void {
  const split = splitForTranslation(text, maxBytes);
  expect(joinTranslatedChunks(split, split.chunks)).toBe(text);
  for (const chunk of split.chunks) {
    expect(utf8Bytes(chunk)).toBeLessThanOrEqual(maxBytes);
    expect(chunk.trim()).not.toBe('');
  }
}

describe('splitting text for TranslateText', () => {
  it('when the text fits in one request, then it is sent whole, whitespace included', () => {
    const text = '  Hello families,\n\nno school on Monday.\n';
    expect(splitForTranslation(text, LIMIT)).toEqual({
      prefix: '',
      chunks: [text],
      separators: [],
      suffix: '',
    });
  });

  it('when a message is 25,000 bytes of paragraphs, then it goes in three chunks of whole paragraphs, in order', () => {
    const paragraphs = [0, 1, 2, 3].map((i) => paragraph(4_900, i * 1_000));
    const head = paragraphs.join('\n\n') + '\n\n';
    const last = paragraph(4_000, 4_000);
    const text = `${head}${last} ${'x'.repeat(25_000 - utf8Bytes(head) - utf8Bytes(last) - 1)}`;
    expect(utf8Bytes(text)).toBe(25_000);

    const split = splitForTranslation(text, LIMIT);

    expect(split.chunks).toEqual([
      `${paragraphs[0]}\n\n${paragraphs[1]}`,
      `${paragraphs[2]}\n\n${paragraphs[3]}`,
      text.slice(head.length),
    ]);
    expect(split.separators).toEqual(['\n\n', '\n\n']);
    roundTrips(text);
  });

  it('when one paragraph is longer than the limit, then it is cut between sentences, never inside one', () => {
    const text = paragraph(25_000);
    const split = splitForTranslation(text, LIMIT);
    expect(split.chunks.length).toBe(3);
    for (const chunk of split.chunks) expect(chunk).toMatch(/^Sentence number \d+ .*Friday\.$/);
    expect(split.separators).toEqual([' ', ' ']);
    roundTrips(text);
  });

  it('when a sentence is longer than the limit, then it is cut between words', () => {
    const text = Array.from({ length: 3_000 }, (_, i) => `word${i}`).join(' ');
    const split = splitForTranslation(text, LIMIT);
    expect(split.chunks.length).toBeGreaterThan(1);
    for (const chunk of split.chunks) expect(chunk).toMatch(/^word\d+( word\d+)*$/);
    roundTrips(text);
  });

  it('when the text is multibyte without spaces, then cuts fall between code points and no chunk is over the limit', () => {
    // 4-byte emoji and 3-byte CJK characters in a run with no whitespace and no sentence end.
    const text = '😀漢字'.repeat(2_500);
    const split = splitForTranslation(text, LIMIT);
    expect(split.chunks.length).toBe(3);
    for (const chunk of split.chunks) {
      expect(Buffer.from(chunk, 'utf8').toString('utf8')).toBe(chunk);
      expect(chunk).not.toMatch(/[\uD800-\uDBFF]$/);
    }
    roundTrips(text);
  });

  it('when CJK sentences end with 。 and no space, then cuts fall after a full stop', () => {
    const text = '明日は遠足です。'.repeat(1_000);
    const split = splitForTranslation(text, LIMIT);
    expect(split.chunks.length).toBe(3);
    for (const chunk of split.chunks) expect(chunk.endsWith('。')).toBe(true);
    roundTrips(text);
  });

  it('when the text has lines and surrounding whitespace, then they come back exactly', () => {
    const lines = Array.from({ length: 400 }, (_, i) => `- item ${i}: bring a water bottle`).join('\r\n');
    const text = `\n\n  ${lines}\n\n\t${paragraph(9_000)}  \n`;
    const split = splitForTranslation(text, LIMIT);
    expect(split.prefix).toBe('\n\n  ');
    expect(split.suffix).toBe('  \n');
    roundTrips(text);
  });

  it('when the translated chunks come back, then they are joined with the original separators', () => {
    const text = `${paragraph(7_000)}\n\n\n${paragraph(7_000, 500)}`;
    const split = splitForTranslation(text, LIMIT);
    const joined = joinTranslatedChunks(
      split,
      split.chunks.map((_, i) => `T${i}`),
    );
    expect(joined).toBe('T0\n\n\nT1');
  });

  it('when any text is split at any limit, then the chunks rejoin to it and each fits', () => {
    const piece = fc.constantFrom('a', 'é', '漢', '😀', ' ', '\n', '\n\n', '. ', '。', 'word', '\t', '!');
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 400 }).map((p) => p.join('')),
        fc.integer({ min: 4, max: 64 }),
        (text, max) => roundTrips(text, max),
      ),
      { numRuns: 500 },
    );
  });

  it('when the limit cannot hold one code point, then splitting refuses', () => {
    expect(() => splitForTranslation('abc', 3)).toThrow(RangeError);
  });
});
