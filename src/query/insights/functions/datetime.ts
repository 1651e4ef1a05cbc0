/**
 * Datetime functions (AWS's "Datetime functions" table). Timestamps are UTC TIMESTAMPs (types.ts).
 *
 * Buckets (bin, datefloor, dateceil): a period's amount is capped by its unit as AWS does
 * (coerce.ts's periodAmount). Fixed periods up to days are aligned on the Unix epoch, weeks start on
 * Monday, and months, quarters and years are calendar periods (a quarter starts in January, April,
 * July or October). dateceil of a time already on a boundary is that time.
 */
import { asNumber, asString, asTimestamp, epochMsOf, periodMonths, periodMs } from './coerce.js';
import { arg, family, literalPeriod, literalString, num, str, ts, val } from './define.js';
import type { CompiledArg, SqlContext, SqlValue } from './types.js';

/** Monday 1970-01-05, where weeks start, in ms after the epoch. */
const MONDAY_MS = 4 * 86_400_000;

/** `e` (BIGINT epoch ms) floored to a multiple of `p` after `origin` (DuckDB's // truncates toward zero). */
function floorMs(e: string, p: string, origin: number, nonNegative = false): string {
  const x = origin === 0 ? e : `(${e} - ${origin})`;
  const floored = nonNegative ? `(${x} // ${p} * ${p})` : `((${x} - CASE WHEN ${x} < 0 THEN ${p} - 1 ELSE 0 END) // ${p} * ${p})`;
  return origin === 0 ? floored : `(${floored} + ${origin})`;
}

/**
 * The start of the period containing a timestamp (or, with `up`, the first boundary at or after it).
 * `width` is the period argument's value: its length in ms after the cap (types.ts).
 */
/** `eventTime`: `t` is an event's @timestamp, which is never negative (ingestion refuses such events). */
function bucket(t: string, period: CompiledArg, up: boolean, ctx: SqlContext, eventTime = false): string {
  const p = literalPeriod(period, ctx);
  const width = `CAST(${period.value.sql} AS BIGINT)`;
  const months = periodMonths(p);
  if (months !== null) {
    if (!Number.isInteger(months)) return ctx.error(`A calendar period must be a whole number of months, not '${p.text}'`, p.span);
    // The value back to months: periodMs is the amount times a nominal length per unit.
    const n = `to_months(CAST(round(${width} / ${periodMs({ ...p, amount: 1 })} * ${months / p.amount}) AS INTEGER))`;
    const at = up ? `(${t} + ${n} - INTERVAL 1 MILLISECOND)` : t;
    return `time_bucket(${n}, ${at}, TIMESTAMP '2000-01-01')`;
  }
  if (periodMs(p) < 1) return ctx.error(`A time period must be at least 1 ms, not '${p.text}'`, p.span);
  const e = epochMsOf({ sql: t, type: 'timestamp' });
  const at = up ? `(${e} + ${width} - 1)` : e;
  return `epoch_ms(${floorMs(at, width, p.unit === 'w' ? MONDAY_MS : 0, eventTime && p.unit !== 'w')})`;
}

/** The event time, for functions that read it implicitly. */
export function eventTimestamp(ctx: SqlContext, a: CompiledArg, fn: string): SqlValue {
  if (!ctx.field) throw new Error(`internal: ${fn} needs SqlContext.field to read @timestamp`);
  return asTimestamp(ctx.field('@timestamp', a.expr.span));
}

const t = (args: readonly CompiledArg[], i: number): string => asTimestamp(val(args, i)).sql;

/**
 * A Java DateTimeFormatter pattern (what AWS's parseDate takes) as a DuckDB strptime format, or the
 * reason it has no equivalent. Letters: y u M L d D H h m s S a E Z X x, quoted text in '...'.
 */
export function javaPatternToStrptime(pattern: string): { format: string } | { error: string } {
  let out = '';
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i]!;
    if (c === "'") {
      // Quoted literal text, in which '' is a quote; '' outside quotes is a quote too.
      let j = i + 1;
      let lit = '';
      for (;;) {
        if (j >= pattern.length) return { error: 'an unterminated quote' };
        if (pattern[j] === "'") {
          if (j > i + 1 && pattern[j + 1] === "'") {
            lit += "'";
            j += 2;
            continue;
          }
          break;
        }
        lit += pattern[j];
        j++;
      }
      out += (j === i + 1 ? "'" : lit).replaceAll('%', '%%');
      i = j + 1;
      continue;
    }
    if (!/[A-Za-z]/.test(c)) {
      out += c === '%' ? '%%' : c;
      i++;
      continue;
    }
    let n = 1;
    while (pattern[i + n] === c) n++;
    i += n;
    const spec = LETTERS[c]?.(n);
    if (spec === undefined) return { error: `the pattern letter '${c.repeat(n)}'` };
    out += spec;
  }
  return { format: out };
}

const LETTERS: Record<string, (n: number) => string | undefined> = {
  y: (n) => (n === 2 ? '%y' : '%Y'),
  u: (n) => (n === 2 ? '%y' : '%Y'),
  M: (n) => (n <= 2 ? '%m' : n === 3 ? '%b' : '%B'),
  L: (n) => (n <= 2 ? '%m' : n === 3 ? '%b' : '%B'),
  d: (n) => (n <= 2 ? '%d' : undefined),
  D: () => '%j',
  H: (n) => (n <= 2 ? '%H' : undefined),
  h: (n) => (n <= 2 ? '%I' : undefined),
  m: (n) => (n <= 2 ? '%M' : undefined),
  s: (n) => (n <= 2 ? '%S' : undefined),
  S: (n) => (n <= 3 ? '%g' : n <= 6 ? '%f' : n <= 9 ? '%n' : undefined),
  a: (n) => (n === 1 ? '%p' : undefined),
  E: (n) => (n <= 3 ? '%a' : '%A'),
  Z: () => '%z',
  X: () => '%z',
  x: () => '%z',
};

export const DATETIME_FUNCTIONS = family('datetime', {
  bin: {
    args: ['period'],
    doc: 'bin(period): @timestamp rounded down to the period (5m, 1h, 1d, 1w, 1mo...).',
    compile: (args, ctx) => ts(bucket(eventTimestamp(ctx, arg(args, 0), 'bin').sql, arg(args, 0), false, ctx, true)),
  },
  datefloor: {
    args: ['timestamp', 'period'],
    doc: 'datefloor(timestamp, period): the timestamp rounded down to the period.',
    compile: (args, ctx) => ts(bucket(t(args, 0), arg(args, 1), false, ctx)),
  },
  dateceil: {
    args: ['timestamp', 'period'],
    doc: 'dateceil(timestamp, period): the timestamp rounded up to the period.',
    compile: (args, ctx) => ts(bucket(t(args, 0), arg(args, 1), true, ctx)),
  },
  fromMillis: {
    args: ['number'],
    doc: 'fromMillis(n): the timestamp n milliseconds after the Unix epoch.',
    compile: (args) => asTimestamp(asNumber(val(args, 0))),
  },
  toMillis: {
    args: ['timestamp'],
    doc: 'toMillis(timestamp): milliseconds since the Unix epoch.',
    compile: (args) => num(`epoch_ms(${t(args, 0)})`),
  },
  now: {
    args: [],
    doc: 'now(): when the query started, in epoch seconds.',
    compile: (_args, ctx) => num(`CAST(${ctx.param(Math.floor(ctx.nowMs / 1000))} AS BIGINT)`),
  },
  parseDate: {
    args: ['string', 'string', 'string'],
    minArgs: 2,
    doc: 'parseDate(str, format[, timezone]): epoch ms of a date parsed with a Java DateTimeFormatter pattern (UTC unless the text or timezone says otherwise).',
    compile: (args, ctx) => {
      const pattern = literalString(arg(args, 1), ctx, "parseDate's format");
      const conv = javaPatternToStrptime(pattern);
      if ('error' in conv) return ctx.error(`parseDate's format has ${conv.error}, which is not supported`, arg(args, 1).expr.span);
      const parsed = `try_strptime(${asString(val(args, 0)).sql}, CAST(${ctx.param(conv.format)} AS VARCHAR))`;
      // With an offset in the text, strptime gives an instant; without one, the local time is in the zone.
      const ms = conv.format.includes('%z') || args.length < 3 ? `epoch_ms(${parsed})` : `epoch_ms(timezone(${asString(val(args, 2)).sql}, ${parsed}))`;
      // DuckDB needs the converted format, but the format as compiled (a bound parameter) must still
      // appear in the SQL; it is never null.
      return num(`(CASE WHEN ${val(args, 1).sql} IS NOT NULL THEN ${ms} END)`);
    },
  },
  formatDate: {
    args: ['timestamp', 'string', 'string'],
    minArgs: 2,
    doc: 'formatDate(timestamp, format[, timezone]): the timestamp formatted with strftime codes (%Y-%m-%d...), in UTC or the zone.',
    compile: (args, ctx) => formatDate(args, ctx),
  },
  strftime: {
    args: ['timestamp', 'string', 'string'],
    minArgs: 2,
    doc: 'strftime(timestamp, format[, timezone]): the same as formatDate.',
    compile: (args, ctx) => formatDate(args, ctx),
  },
});

function formatDate(args: CompiledArg[], ctx: SqlContext): SqlValue {
  // DuckDB's strftime needs a constant format.
  literalString(arg(args, 1), ctx, 'The format');
  const at = t(args, 0);
  const local = args.length < 3 ? at : `timezone(${asString(val(args, 2)).sql}, timezone('UTC', ${at}))`;
  return str(`strftime(${local}, ${asString(val(args, 1)).sql})`);
}
