/**
 * The parser of `addtotals [fieldname=Name] [row=bool] [col=bool] [field1, field2, ...]` (AWS's
 * CWL_QuerySyntax-Addtotals page). Options come first, each at most once, in any order, their names
 * case-insensitive; then the optional list of fields. A field may be called `row`: it is an option only
 * when `=` follows.
 */
import type { AddTotalsCommand, FieldRef } from './ast.js';
import type { Token } from './lexer.js';
import { type Cursor, isOp, isWord, parseFieldRef, parseName } from './parse-expr.js';

const OPTIONS = ['fieldname', 'row', 'col'] as const;
type OptionName = (typeof OPTIONS)[number];

export function parseAddTotals(c: Cursor, kw: Token): AddTotalsCommand {
  const cmd: AddTotalsCommand = { kind: 'addtotals', fieldName: null, row: null, col: null, fields: [], span: kw.span };
  for (;;) {
    const t = c.peek();
    const name = OPTIONS.find((o) => isWord(t, o));
    if (name === undefined || !isOp(c.peekSecond(), '=')) break;
    if (optionValue(cmd, name) !== null) throw c.error(t, `expected each of fieldname=, row= and col= at most once ('${name}' is given twice)`);
    c.take();
    c.take(); // =
    if (name === 'fieldname') {
      cmd.fieldName = parseName(c, 'a name for the row total').name;
      continue;
    }
    const v = c.peek();
    if (!isWord(v, 'true') && !isWord(v, 'false')) throw c.error(v, `expected true or false after '${name}='`);
    c.take();
    cmd[name] = isWord(v, 'true');
  }
  const next = c.peek();
  if (next.kind !== 'eof' && !isOp(next, '|')) {
    const fields: FieldRef[] = [parseFieldRef(c, 'a field to sum or an option (fieldname=, row=, col=)')];
    while (isOp(c.peek(), ',')) {
      c.take();
      fields.push(parseFieldRef(c, 'a field to sum'));
    }
    cmd.fields = fields;
  }
  cmd.span = { start: kw.span.start, end: c.last!.span.end };
  return cmd;
}

function optionValue(cmd: AddTotalsCommand, name: OptionName): string | boolean | null {
  return name === 'fieldname' ? cmd.fieldName : cmd[name];
}
