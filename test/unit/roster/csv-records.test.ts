import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { readCsvRecords, type CsvRecord } from '../../../libs/domain/roster/csv-records';
import { toCsv } from '../../../libs/domain/roster/csv-writer';

function read(text: string) {
  const records: CsvRecord[] = [];
  const errors = readCsvRecords(text, (record) => records.push(record));
  return { records, errors };
}

describe('readCsvRecords', () => {
  it('when lines end in LF, CRLF or CR, then each record gets the physical line it starts on', () => {
    expect(read('a,b\nc,d\r\ne,f\rg,h').records).toEqual([
      { line: 1, endLine: 1, fields: ['a', 'b'] },
      { line: 2, endLine: 2, fields: ['c', 'd'] },
      { line: 3, endLine: 3, fields: ['e', 'f'] },
      { line: 4, endLine: 4, fields: ['g', 'h'] },
    ]);
  });

  it('when a quoted field holds line breaks, then the next record starts on the right line', () => {
    expect(read('a,"x\r\ny\nz",b\r\nc,d\r\n').records).toEqual([
      { line: 1, endLine: 3, fields: ['a', 'x\r\ny\nz', 'b'] },
      { line: 4, endLine: 4, fields: ['c', 'd'] },
    ]);
  });

  it('when fields hold doubled quotes, commas or nothing, then they are read as RFC 4180 says', () => {
    expect(read('"say ""hi""","a,b",,""\n').records).toEqual([
      { line: 1, endLine: 1, fields: ['say "hi"', 'a,b', '', ''] },
    ]);
  });

  it('when blank lines sit between records, then they are skipped but still counted', () => {
    expect(read('a\n\n\r\nb\n').records).toEqual([
      { line: 1, endLine: 1, fields: ['a'] },
      { line: 4, endLine: 4, fields: ['b'] },
    ]);
  });

  it('when a line ends with a comma, then the record ends with an empty field', () => {
    expect(read('a,\nb,').records).toEqual([
      { line: 1, endLine: 1, fields: ['a', ''] },
      { line: 2, endLine: 2, fields: ['b', ''] },
    ]);
  });

  it('when text follows a closing quote, then that line is reported and reading resumes on the next', () => {
    expect(read('a,"b"c,d\ne,f\n')).toEqual({
      records: [{ line: 2, endLine: 2, fields: ['e', 'f'] }],
      errors: [{ line: 1, message: expect.stringMatching(/after a closing quote/), fatal: false }],
    });
  });

  it('when a quote opens in the middle of an unquoted field, then that line is reported', () => {
    expect(read('a,b"c\nd\n')).toEqual({
      records: [{ line: 2, endLine: 2, fields: ['d'] }],
      errors: [{ line: 1, message: expect.stringMatching(/quote inside an unquoted field/), fatal: false }],
    });
  });

  it('when a quoted field is never closed, then the line where it opened is reported', () => {
    expect(read('a\nb,"c\nd\ne\n')).toEqual({
      records: [{ line: 1, endLine: 1, fields: ['a'] }],
      errors: [{ line: 2, message: expect.stringMatching(/never closed/), fatal: true }],
    });
  });

  it('when a quote left open closes on a later line before other text, then the rest of the file is lost', () => {
    expect(read('a\nb,"c\nd,"e\nf\n')).toEqual({
      records: [{ line: 1, endLine: 1, fields: ['a'] }],
      errors: [{ line: 2, message: expect.stringMatching(/runs to line 3/), fatal: true }],
    });
  });

  it('when any table is written by toCsv, then it reads back identically, and as csv-parse reads it', () => {
    const cell = fc.string({ unit: fc.constantFrom('a', 'é', ',', '"', '\n', '\r\n', ' ', 'z') });
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 4 })
          .chain((width) =>
            fc.array(fc.array(cell, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 6 }),
          ),
        (table) => {
          const [header, ...rows] = table;
          const text = toCsv(header, rows);
          const { records, errors } = read(text);
          const isBlank = (row: string[]) => row.length === 1 && row[0] === '';
          const expected = table.filter((row) => !isBlank(row));
          expect(errors).toEqual([]);
          expect(records.map((record) => record.fields)).toEqual(expected);
          expect(parse(text, { relax_column_count: true, skip_empty_lines: true })).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
