/**
 * Splitting a long text into pieces a provider accepts (AWS TranslateText: at most 10,000 bytes of
 * UTF-8), and putting the translated pieces back together.
 *
 * The text is cut where a cut hurts the translation least: between paragraphs, then between lines,
 * then between sentences, then between words, and only as a last resort (a run of more than the limit
 * without any space, such as a very long link) between two code points — never inside one. The
 * whitespace at each cut is kept aside and put back verbatim, so paragraphs and line breaks survive.
 * Neighbouring pieces are packed back together while they fit, so a 25,000-byte text makes three
 * requests, not hundreds.
 */

export interface TextChunks {
  /** Whitespace before the first chunk, kept as it is. */
  prefix: string;
  /** The texts to translate, in order; each non-blank and at most `maxBytes` of UTF-8. */
  chunks: string[];
  /** `separators[i]` stands between `chunks[i]` and `chunks[i + 1]`. */
  separators: string[];
  /** Whitespace after the last chunk, kept as it is. */
  suffix: string;
}

interface Token {
  value: string;
  separator: boolean;
}

const PARAGRAPH = /(\r?\n[ \t]*\r?\n\s*)/;
const LINE = /(\s*\n\s*)/;
// Latin-script sentence ends need whitespace after them ("3.14", "e.g.x" stay whole); CJK full stops
// need none, because those scripts do not put spaces between sentences.
const SENTENCE = /((?<=[.!?…।؟۔]["'”’)\]]*)\s+|(?<=[。！？])\s*)/;
const WORD = /(\s+)/;
const LEVELS = [PARAGRAPH, LINE, SENTENCE, WORD];

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

export function splitForTranslation(text: string, maxBytes: number): TextChunks {
  if (!Number.isInteger(maxBytes) || maxBytes < 4) {
    throw new RangeError('maxBytes must be a whole number of at least 4 (one code point)');
  }
  const body = text.trim();
  const prefix = text.slice(0, text.length - text.trimStart().length);
  const suffix = text.slice(text.trimEnd().length);
  if (body === '') return { prefix: text, chunks: [], separators: [], suffix: '' };
  if (utf8Bytes(text) <= maxBytes) return { prefix: '', chunks: [text], separators: [], suffix: '' };
  return { prefix, ...pack(tokenize(body, 0, maxBytes), maxBytes), suffix };
}

/** The inverse of {@link splitForTranslation}, applied to the translated chunks. */
export function joinTranslatedChunks(split: TextChunks, translatedChunks: readonly string[]): string {
  if (translatedChunks.length !== split.chunks.length) {
    throw new RangeError(`expected ${split.chunks.length} translated chunks, got ${translatedChunks.length}`);
  }
  let joined = split.prefix;
  translatedChunks.forEach((chunk, i) => {
    joined += chunk + (i < split.separators.length ? split.separators[i] : '');
  });
  return joined + split.suffix;
}

/** Units no longer than `maxBytes`, cut at the coarsest level that makes them fit, with the cuts between. */
function tokenize(text: string, level: number, maxBytes: number): Token[] {
  if (utf8Bytes(text) <= maxBytes) return [{ value: text, separator: false }];
  if (level === LEVELS.length) return splitAtCodePoints(text, maxBytes);
  const parts = text.split(LEVELS[level]!);
  if (parts.length === 1) return tokenize(text, level + 1, maxBytes);
  return parts.flatMap((part, i): Token[] => {
    if (part === '') return [];
    // split() puts the captured separators at odd indexes.
    if (i % 2 === 1 || part.trim() === '') return [{ value: part, separator: true }];
    return tokenize(part, level + 1, maxBytes);
  });
}

function splitAtCodePoints(text: string, maxBytes: number): Token[] {
  const tokens: Token[] = [];
  let current = '';
  let currentBytes = 0;
  for (const codePoint of text) {
    const bytes = utf8Bytes(codePoint);
    if (currentBytes + bytes > maxBytes) {
      tokens.push({ value: current, separator: false }, { value: '', separator: true });
      current = '';
      currentBytes = 0;
    }
    current += codePoint;
    currentBytes += bytes;
  }
  tokens.push({ value: current, separator: false });
  return tokens;
}

/** Greedy packing: each chunk takes the following separator and unit as long as it stays within the limit. */
function pack(tokens: Token[], maxBytes: number): Pick<TextChunks, 'chunks' | 'separators'> {
  const chunks: string[] = [];
  const separators: string[] = [];
  let chunk: string | undefined;
  let chunkBytes = 0;
  let pendingSeparator = '';
  for (const token of tokens) {
    if (token.separator) {
      pendingSeparator += token.value;
      continue;
    }
    const unitBytes = utf8Bytes(token.value);
    const separatorBytes = utf8Bytes(pendingSeparator);
    if (chunk !== undefined && chunkBytes + separatorBytes + unitBytes <= maxBytes) {
      chunk += pendingSeparator + token.value;
      chunkBytes += separatorBytes + unitBytes;
    } else {
      if (chunk !== undefined) {
        chunks.push(chunk);
        separators.push(pendingSeparator);
      }
      chunk = token.value;
      chunkBytes = unitBytes;
    }
    pendingSeparator = '';
  }
  if (chunk !== undefined) chunks.push(chunk);
  return { chunks, separators };
}
