/**
 * RFC 4180 records with the physical line each one starts on, which is what the import report names.
 *
 * csv-parse was measured first: it reports the line a record ends on, needs its slow `info` mode to
 * report even that (2.6 s for the users and enrollments of a 50,000-student district), and after a
 * malformed quote it loses its footing for the rest of the file. This reader keeps exact start lines,
 * reports a malformed line and carries on at the next one, and reads the same data several times
 * faster. Line breaks are LF, CRLF or CR; blank lines are skipped; a quote may only open a field.
 */

export interface CsvRecord {
  /** 1-based physical line the record starts on. */
  line: number;
  /** The physical line it ends on: later than `line` when a quoted field holds line breaks. */
  endLine: number;
  fields: string[];
}

export interface CsvSyntaxError {
  line: number;
  message: string;
  /** The rest of the file could not be read (an unclosed quote); otherwise only this line was skipped. */
  fatal: boolean;
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Hands each record to `onRecord` as soon as it is read (keeping none: a district's enrollments are
 * hundreds of thousands of them) and returns the syntax errors.
 */
export function readCsvRecords(text: string, onRecord: (record: CsvRecord) => void): CsvSyntaxError[] {
  const errors: CsvSyntaxError[] = [];
  const end = text.length;
  let position = 0;
  let line = 1;

  while (position < end) {
    const first = text.charCodeAt(position);
    if (first === LF || first === CR) {
      position = afterLineBreak(text, position);
      line++;
      continue;
    }

    const recordLine = line;
    let endLine = line;
    const fields: string[] = [];
    let problem: string | null = null;
    for (;;) {
      if (text.charCodeAt(position) === QUOTE) {
        const fieldLine = line;
        let value = '';
        let chunkStart = position + 1;
        for (;;) {
          const quote = text.indexOf('"', chunkStart);
          if (quote === -1) {
            errors.push({
              line: fieldLine,
              message: 'a quoted field opened on this line is never closed',
              fatal: true,
            });
            return errors;
          }
          value += text.slice(chunkStart, quote);
          line += countLineBreaks(text, chunkStart, quote);
          if (text.charCodeAt(quote + 1) === QUOTE) {
            value += '"';
            chunkStart = quote + 2;
            continue;
          }
          position = quote + 1;
          break;
        }
        fields.push(value);
      } else {
        const fieldStart = position;
        while (position < end) {
          const code = text.charCodeAt(position);
          if (code === COMMA || code === LF || code === CR) break;
          if (code === QUOTE) {
            problem = 'a quote inside an unquoted field: quote the whole field and double the inner quotes';
            break;
          }
          position++;
        }
        if (problem) break;
        fields.push(text.slice(fieldStart, position));
      }

      endLine = line;
      if (position >= end) break;
      const next = text.charCodeAt(position);
      if (next === COMMA) {
        position++;
        continue;
      }
      if (next === LF || next === CR) {
        position = afterLineBreak(text, position);
        line++;
        break;
      }
      problem = 'unexpected text after a closing quote: a quoted field must end at a comma or a line break';
      break;
    }

    if (problem && line > recordLine) {
      // A quote left open swallowed the lines after it: which rows they held cannot be told.
      errors.push({
        line: recordLine,
        message: `a quoted field opened on this line runs to line ${line} and is not followed by a comma or a line break: a quote is probably missing`,
        fatal: true,
      });
      return errors;
    }
    if (problem) {
      errors.push({ line, message: problem, fatal: false });
      position = skipToNextLine(text, position);
      line++;
      continue;
    }
    onRecord({ line: recordLine, endLine, fields });
  }
  return errors;
}

function afterLineBreak(text: string, position: number): number {
  return text.charCodeAt(position) === CR && text.charCodeAt(position + 1) === LF
    ? position + 2
    : position + 1;
}

function skipToNextLine(text: string, position: number): number {
  let cursor = position;
  while (cursor < text.length) {
    const code = text.charCodeAt(cursor);
    if (code === LF || code === CR) return afterLineBreak(text, cursor);
    cursor++;
  }
  return cursor;
}

function countLineBreaks(text: string, from: number, to: number): number {
  let count = 0;
  for (let cursor = from; cursor < to; cursor++) {
    const code = text.charCodeAt(cursor);
    if (code === LF) count++;
    else if (code === CR && text.charCodeAt(cursor + 1) !== LF) count++;
  }
  return count;
}
