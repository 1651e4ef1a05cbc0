/**
 * General functions (AWS's "General functions" table): presence, first-present, conditionals, and
 * the query window. Conditionals that can return values of different types return text typed
 * `dynamic` (define.ts's unify), which still computes as a number where it reads as one.
 */
import { asBoolean, asNumber, asString } from './coerce.js';
import { bool, family, num, unify, val } from './define.js';
import type { SqlContext } from './types.js';

/** AWS: "Supports up to 10 branches." */
const CASE_BRANCHES = 10;

function window(ctx: SqlContext): { start: number; end: number } {
  // A context without the window is a compiler that does not pass it: our bug, not the user's.
  if (ctx.startMs === undefined) throw new Error('internal: SqlContext.startMs is needed by the query-window functions');
  return { start: ctx.startMs, end: ctx.endMs ?? ctx.nowMs };
}

const bigint = (ctx: SqlContext, ms: number) => num(`CAST(${ctx.param(ms)} AS BIGINT)`);

export const GENERAL_FUNCTIONS = family('general', {
  ispresent: {
    args: ['any'],
    doc: 'ispresent(field): true if the event has the field.',
    compile: (args) => bool(`(${val(args, 0).sql} IS NOT NULL)`),
  },
  coalesce: {
    args: ['any'],
    minArgs: 1,
    maxArgs: Infinity,
    doc: 'coalesce(field, ...fields): the first value that is present.',
    compile: (args) => {
      const u = unify(args.map((a) => a.value));
      return { sql: `COALESCE(${u.sqls.join(', ')})`, type: u.type };
    },
  },
  case: {
    args: ['any'],
    minArgs: 2,
    maxArgs: 2 * CASE_BRANCHES + 1,
    doc: 'case(cond1, val1, cond2, val2, ..., [default]): the value of the first true condition, else the default (or nothing).',
    compile: (args) => {
      const branches = Math.floor(args.length / 2);
      const values = Array.from({ length: branches }, (_, i) => val(args, 2 * i + 1));
      const hasDefault = args.length % 2 === 1;
      if (hasDefault) values.push(val(args, args.length - 1));
      const u = unify(values);
      const whens = Array.from({ length: branches }, (_, i) => `WHEN ${asBoolean(val(args, 2 * i)).sql} THEN ${u.sqls[i]}`);
      const otherwise = hasDefault ? ` ELSE ${u.sqls[branches]}` : '';
      return { sql: `(CASE ${whens.join(' ')}${otherwise} END)`, type: u.type };
    },
  },
  if: {
    args: ['any', 'any', 'any'],
    doc: 'if(condition, trueValue, falseValue): trueValue if the condition is true, else falseValue.',
    compile: (args) => {
      const u = unify([val(args, 1), val(args, 2)]);
      return { sql: `(CASE WHEN ${asBoolean(val(args, 0)).sql} THEN ${u.sqls[0]} ELSE ${u.sqls[1]} END)`, type: u.type };
    },
  },
  isNumeric: {
    args: ['any'],
    doc: 'isNumeric(field): true if the value reads as a number.',
    compile: (args) => bool(`(${asNumber(val(args, 0)).sql} IS NOT NULL)`),
  },
  messageSize: {
    args: ['any'],
    doc: 'messageSize(field): the length of the value in UTF-8 bytes.',
    // DuckDB's strlen counts bytes (length counts code points).
    compile: (args) => num(`strlen(${asString(val(args, 0)).sql})`),
  },
  unmask: {
    args: ['any'],
    // AWS's unmask page writes it as a call in `fields`: `fields @timestamp, unmask(@message)`.
    doc: 'unmask(field): the value without data-protection masking; Logward stores events as sent, so this is the value itself.',
    compile: (args) => val(args, 0),
  },
  queryStartTime: {
    args: [],
    doc: "queryStartTime(): the start of the query's time range, in epoch ms.",
    compile: (_args, ctx) => bigint(ctx, window(ctx).start),
  },
  queryEndTime: {
    args: [],
    doc: "queryEndTime(): the end of the query's time range, in epoch ms.",
    compile: (_args, ctx) => bigint(ctx, window(ctx).end),
  },
  queryTimeRange: {
    args: [],
    doc: "queryTimeRange(): the length of the query's time range, in ms.",
    compile: (_args, ctx) => {
      const w = window(ctx);
      return bigint(ctx, w.end - w.start);
    },
  },
});
