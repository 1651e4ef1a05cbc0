/**
 * CSV as RFC 4180 writes it, for lookup tables (CreateLookupTable's tableBody): records end with CRLF or
 * LF (a last line without one too), fields are separated by commas, a field in double quotes may hold
 * commas, line breaks and `""` for a quote. A pure function: no I/O. Written here rather than taken from
 * a library because the grammar is this small and the table body is already in memory.
 */

export class CsvError extends Error {
  override readonly name = 'CsvError';
  constructor(
    message: string,
    /** 1-based line of the problem. */
    readonly line: number,
  ) {
    super(message);
  }
}

/** The records of `text`, each a list of fields; a line break at the very end adds no record. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  if (text === '') return records;
  let record: string[] = [];
  let line = 1;
  let i = 0;
  for (;;) {
    let field: string;
    if (text[i] === '"') {
      // A quoted field: up to the quote that is not doubled.
      const openedAt = line;
      const parts: string[] = [];
      let from = ++i;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new CsvError(`a quoted field opened on line ${openedAt} is not closed`, openedAt);
        line += countBreaks(text, i, q);
        if (text[q + 1] === '"') {
          parts.push(text.slice(from, q + 1));
          i = from = q + 2;
          continue;
        }
        parts.push(text.slice(from, q));
        i = q + 1;
        break;
      }
      field = parts.join('');
      if (i < text.length && !isDelimiter(text.charCodeAt(i))) {
        throw new CsvError(`line ${line}: a quoted field must be followed by a comma or the end of the line`, line);
      }
    } else {
      const from = i;
      while (i < text.length && !isDelimiter(text.charCodeAt(i))) {
        if (text.charCodeAt(i) === QUOTE) throw new CsvError(`line ${line}: a quote inside an unquoted field (quote the whole field and double its quotes)`, line);
        i++;
      }
      field = text.slice(from, i);
    }
    record.push(field);
    if (i >= text.length) {
      records.push(record);
      return records;
    }
    if (text.charCodeAt(i) === COMMA) {
      i++;
      continue;
    }
    i = text[i] === '\r' && text[i + 1] === '\n' ? i + 2 : i + 1;
    line++;
    records.push(record);
    record = [];
    if (i >= text.length) return records;
  }
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const isDelimiter = (c: number): boolean => c === COMMA || c === 0x0a || c === 0x0d;

function countBreaks(text: string, from: number, to: number): number {
  let n = 0;
  for (let k = text.indexOf('\n', from); k >= 0 && k < to; k = text.indexOf('\n', k + 1)) n++;
  return n;
}

/** One field as CSV writes it: quoted when it holds a comma, a quote or a line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
