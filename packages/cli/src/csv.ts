/**
 * A small RFC 4180 CSV reader and writer (no dependency). Reading: fields separated by `,`, records by
 * CRLF or LF, fields in double quotes may contain commas, line breaks and `""` (one quote); a leading
 * UTF-8 BOM is skipped; a quote inside an unquoted field, text after a closing quote and an
 * unterminated quoted field are errors naming the line. Writing quotes a field only when it needs it
 * (comma, quote, CR/LF, or leading/trailing space) and ends records with CRLF (RFC 4180 §2).
 */
export class CsvError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'CsvError';
  }
}

/** Every record of `text` as arrays of fields; blank lines are skipped. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let line = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let quoted = false;
  let quoteLine = 0;
  let wasQuoted = false;
  const endField = () => {
    record.push(field);
    field = '';
    wasQuoted = false;
  };
  const endRecord = () => {
    endField();
    if (!(record.length === 1 && record[0] === '' )) records.push(record);
    record = [];
  };
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
          wasQuoted = true;
        }
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      continue;
    }
    if (ch === ',') endField();
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
    } else if (ch === '"') {
      if (field !== '' || wasQuoted) throw new CsvError(line, 'a quote inside an unquoted field (quote the whole field and double the quote)');
      quoted = true;
      quoteLine = line;
    } else if (wasQuoted) {
      throw new CsvError(line, 'text after the closing quote of a field');
    } else field += ch;
  }
  if (quoted) throw new CsvError(quoteLine, 'a quoted field starting on this line is not closed');
  if (field !== '' || record.length || wasQuoted) endRecord();
  return records;
}

function quote(v: string): string {
  return /[",\r\n]|^\s|\s$/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function formatCsvRecord(fields: string[]): string {
  return `${fields.map(quote).join(',')}\r\n`;
}

/**
 * Records as objects keyed by the header (the first record). Missing trailing cells are empty; extra
 * cells go under `(column N)` so the importer reports them instead of dropping them.
 */
export function csvObjects(records: string[][]): { header: string[]; rows: Array<Record<string, string>> } {
  const [header, ...rest] = records;
  if (!header) return { header: [], rows: [] };
  const names = header.map((h) => h.trim());
  return {
    header: names,
    rows: rest.map((r) => Object.fromEntries(r.map((v, i): [string, string] => [names[i] || `(column ${i + 1})`, v]).filter(([, v], i) => i < names.length || v !== ''))),
  };
}
