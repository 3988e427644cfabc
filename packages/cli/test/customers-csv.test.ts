/** The RFC 4180 CSV reader/writer of the CLI (src/csv.ts): quoting, line breaks, BOM, errors with line numbers, round trip. */
import test from 'ava';
import { csvObjects, formatCsvRecord, parseCsv } from '../src/csv.js';

test('parses RFC 4180: quotes, doubled quotes, commas and line breaks in fields, CRLF and LF, BOM, blank lines', (t) => {
  const text = '\ufeffname,company,phones\r\n"Lovelace, Ada","Say ""hi""","+1 415 555 0100; 212 555 0101"\r\n\r\nBob,,"line1\nline2"\nCarol,Acme,\n';
  t.deepEqual(parseCsv(text), [
    ['name', 'company', 'phones'],
    ['Lovelace, Ada', 'Say "hi"', '+1 415 555 0100; 212 555 0101'],
    ['Bob', '', 'line1\nline2'],
    ['Carol', 'Acme', ''],
  ]);
  t.deepEqual(parseCsv('a,b'), [['a', 'b']], 'no final line break');
  t.deepEqual(parseCsv('a,""'), [['a', '']], 'an empty quoted field');
});

test('malformed CSV is an error naming the line', (t) => {
  t.throws(() => parseCsv('name\n"open\n\nmore'), { message: /^line 2: a quoted field starting on this line is not closed/ });
  t.throws(() => parseCsv('name\nab"c\n'), { message: /^line 2: a quote inside an unquoted field/ });
  t.throws(() => parseCsv('name\n"ab"c\n'), { message: /^line 2: text after the closing quote/ });
});

test('writes only the quoting that is needed, with CRLF, and reads back what it wrote', (t) => {
  const fields = ['plain', 'with,comma', 'with "quote"', 'two\nlines', ' padded', ''];
  const line = formatCsvRecord(fields);
  t.is(line, 'plain,"with,comma","with ""quote""","two\nlines"," padded",\r\n');
  t.deepEqual(parseCsv(line + formatCsvRecord(['x'])), [fields, ['x']]);
});

test('records become objects by header; missing cells are empty, extra cells are kept under (column N)', (t) => {
  t.deepEqual(csvObjects(parseCsv('name,phones\nAda\nBob,1,extra\n')), {
    header: ['name', 'phones'],
    rows: [{ name: 'Ada' }, { name: 'Bob', phones: '1', '(column 3)': 'extra' }],
  });
});
