/**
 * Parsers of `logcompare`, `cidrlookup`, `outlier` and `appendcols`, as AWS's pages give their syntax
 * (CWL_QuerySyntax-Logcompare, -Cidrlookup, -Outlier, -Appendcols). Options (`name=value`) come first,
 * each at most once, in any order, their names case-insensitive; a word is an option only when `=`
 * follows it, so a field may be called `mark` or `max`.
 */
import type { AppendColsCommand, CidrLookupCommand, FieldRef, LogCompareCommand, NumberLiteral, OutlierCommand, PeriodLiteral } from './ast.js';
import type { Token } from './lexer.js';
import { type Cursor, isOp, isWord, parseFieldRef, parseOperand } from './parse-expr.js';

/** `logcompare timeshift <duration>`. */
export function parseLogCompare(c: Cursor, kw: Token): LogCompareCommand {
  if (!isWord(c.peek(), 'timeshift')) throw c.error(c.peek(), `expected timeshift and a duration, such as timeshift 7d ${c.after()}`);
  c.take();
  const t = c.peek(true);
  if (t.kind !== 'period') throw c.error(t, `expected a duration to shift the baseline back by, such as 7d or 1h ${c.after()}`);
  const shift = parseOperand(c) as PeriodLiteral;
  if (shift.amount === 0) throw c.error(t, 'expected a duration greater than zero');
  return { kind: 'logcompare', shift, span: { start: kw.span.start, end: shift.span.end } };
}

/** `cidrlookup <table> <ipField> [AS <cidrColumn>] OUTPUT|OUTPUTNEW <column> [AS <field>], ...`. */
export function parseCidrLookup(c: Cursor, kw: Token): CidrLookupCommand {
  const isOutput = (t: Token): boolean => isWord(t, 'output') || isWord(t, 'outputnew');
  // A bare OUTPUT or OUTPUTNEW is the keyword (a field of that name is written in backquotes).
  const name = (what: string): FieldRef => {
    if (isOutput(c.peek())) throw c.error(c.peek(), `expected ${what} ${c.after()}`);
    return parseFieldRef(c, what);
  };
  const table = name('the name of a lookup table of CIDR ranges');
  const ipField = name('the field that holds the IP address');
  let cidrColumn: FieldRef | null = null;
  if (isWord(c.peek(), 'as')) {
    c.take();
    cidrColumn = name('the column of the lookup table that holds the CIDR ranges');
  }
  const kwOut = c.peek();
  if (!isOutput(kwOut)) throw c.error(kwOut, `expected ${cidrColumn === null ? "'AS' and the CIDR column, or " : ''}OUTPUT or OUTPUTNEW and the fields to add ${c.after()}`);
  c.take();
  const outputs: CidrLookupCommand['outputs'] = [];
  for (;;) {
    const tableField = parseFieldRef(c, 'a field of the lookup table to add');
    let eventField: FieldRef | null = null;
    if (isWord(c.peek(), 'as')) {
      c.take();
      eventField = parseFieldRef(c, 'the name of the field to add');
    }
    outputs.push({ tableField, eventField, span: { start: tableField.span.start, end: (eventField ?? tableField).span.end } });
    if (!isOp(c.peek(), ',')) break;
    c.take();
  }
  return { kind: 'cidrlookup', table, ipField, cidrColumn, outputNew: isWord(kwOut, 'outputnew'), outputs, span: { start: kw.span.start, end: c.last!.span.end } };
}

const OUTLIER_OPTIONS = ['action', 'param', 'uselower', 'mark'] as const;

/** `outlier [action=remove|transform] [param=n] [uselower=bool] [mark=bool] f1 [f2 ...]` (commas allowed too). */
export function parseOutlier(c: Cursor, kw: Token): OutlierCommand {
  const cmd: OutlierCommand = { kind: 'outlier', action: null, param: null, uselower: null, mark: null, fields: [], span: kw.span };
  for (;;) {
    const t = c.peek();
    const option = OUTLIER_OPTIONS.find((o) => isWord(t, o));
    if (option === undefined || !isOp(c.peekSecond(), '=')) break;
    if (cmd[option] !== null) throw c.error(t, `expected each of action=, param=, uselower= and mark= at most once ('${option}' is given twice)`);
    c.take();
    c.take(); // =
    const v = c.peek(true);
    if (option === 'action') {
      if (!isWord(v, 'remove') && !isWord(v, 'transform')) throw c.error(v, "expected remove or transform after 'action='");
      c.take(true);
      cmd.action = isWord(v, 'remove') ? 'remove' : 'transform';
    } else if (option === 'param') {
      if (v.kind !== 'number' || !(Number(v.text) > 0)) throw c.error(v, "expected a positive number (the IQR multiplier, such as 2.5) after 'param='");
      cmd.param = parseOperand(c) as NumberLiteral;
    } else {
      if (!isWord(v, 'true') && !isWord(v, 'false')) throw c.error(v, `expected true or false after '${option}='`);
      c.take(true);
      cmd[option] = isWord(v, 'true');
    }
  }
  cmd.fields.push(parseFieldRef(c, 'a numeric field to check for outliers, or an option (action=, param=, uselower=, mark=)'));
  for (;;) {
    const t = c.peek();
    if (t.kind === 'eof' || isOp(t, '|') || isOp(t, ')')) break;
    if (isOp(t, ',')) c.take();
    cmd.fields.push(parseFieldRef(c, 'another field, or the end of the command'));
  }
  cmd.span = { start: kw.span.start, end: c.last!.span.end };
  return cmd;
}

/** AWS: max is 1–100000. */
export const APPENDCOLS_MAX = 100_000;

/** `appendcols [override=true|false] [max=n] ( <query> )`. */
export function parseAppendCols(c: Cursor, kw: Token): AppendColsCommand {
  let override: boolean | null = null;
  let max: number | null = null;
  for (;;) {
    const t = c.peek();
    const option = isWord(t, 'override') ? 'override' : isWord(t, 'max') ? 'max' : null;
    if (option === null || !isOp(c.peekSecond(), '=')) break;
    if ((option === 'override' ? override : max) !== null) throw c.error(t, `expected each of override= and max= at most once ('${option}' is given twice)`);
    c.take();
    c.take(); // =
    const v = c.peek(true);
    if (option === 'override') {
      if (!isWord(v, 'true') && !isWord(v, 'false')) throw c.error(v, "expected true or false after 'override='");
      override = isWord(v, 'true');
    } else {
      if (v.kind !== 'number' || !/^\d+$/.test(v.text) || Number(v.text) < 1 || Number(v.text) > APPENDCOLS_MAX) throw c.error(v, `expected a whole number of rows from 1 to ${APPENDCOLS_MAX} after 'max='`);
      max = Number(v.text);
    }
    c.take(true);
  }
  const nested = isOp(c.peek(true), '(') ? c.nestedQuery?.(c, true) : null;
  if (!nested) throw c.error(c.peek(true), `expected '(' and the query whose fields to append, such as (SOURCE 'lg' | stats avg(latency) by svc) ${c.after()}`);
  return { kind: 'appendcols', override, max, query: nested.query, span: { start: kw.span.start, end: nested.span.end } };
}
