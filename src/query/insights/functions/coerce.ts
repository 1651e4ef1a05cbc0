/**
 * Value coercions shared by the function library and the compiler: how a value of one static type
 * reads as another in SQL (types.ts says how each type is held), what a time period means, and how a
 * result value is shown in GetQueryResults.
 *
 * Conventions (Logs Insights shows them this way; the compiler and every function follow them):
 * - a boolean shows, and reads as a number, as 1 or 0 (`fields ispresent(x)` shows 1 or 0);
 * - a timestamp shows as `2024-01-01 12:00:00.000` (UTC) and reads as a number in epoch ms;
 * - a number shows without a trailing `.0` when it is integral;
 * - text (a string or a discovered field) reads as a number when it parses as one, else as null.
 */
import type { PeriodLiteral, PeriodUnit, ValueType } from '../ast.js';
import type { SqlValue } from './types.js';

const number = (sql: string): SqlValue => ({ sql, type: 'number' });
const text = (sql: string): SqlValue => ({ sql, type: 'string' });
const boolean = (sql: string): SqlValue => ({ sql, type: 'boolean' });
const timestamp = (sql: string): SqlValue => ({ sql, type: 'timestamp' });

/** Largest magnitude below which every integer is exact in a DOUBLE (2^53). */
const EXACT_INTEGER = 9007199254740992;
/** Epoch ms beyond which DuckDB's TIMESTAMP cannot go (about 273,000 years either side). */
const MAX_TIMESTAMP_MS = 8.64e15;

/**
 * The epoch milliseconds of a timestamp. A timestamp made from milliseconds (`epoch_ms(<ms>)`, as
 * @timestamp and bin() are) gives back its argument instead of converting twice: on ten million
 * events the round trip costs more than the query's scan.
 */
export function epochMsOf(v: SqlValue): string {
  const inner = v.type === 'timestamp' ? unwrapCall(v.sql, 'epoch_ms') : null;
  return inner ?? `epoch_ms(${v.sql})`;
}

/** `arg` when `sql` is exactly one call `fn(arg)` (its parentheses balanced), else null. */
export function unwrapCall(sql: string, fn: string): string | null {
  if (!sql.startsWith(`${fn}(`) || !sql.endsWith(')')) return null;
  let depth = 0;
  let quote = false;
  for (let i = fn.length; i < sql.length; i++) {
    const c = sql[i]!;
    if (c === "'") quote = !quote;
    if (quote) continue;
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0 && i !== sql.length - 1) return null;
  }
  return depth === 0 ? sql.slice(fn.length + 1, -1) : null;
}

/** A number: text through TRY_CAST (null when it does not parse), a timestamp in epoch ms, a boolean 1/0. */
export function asNumber(v: SqlValue): SqlValue {
  switch (v.type) {
    case 'number':
      return v;
    case 'timestamp':
      return number(epochMsOf(v));
    case 'boolean':
      return number(`CAST(${v.sql} AS INTEGER)`);
    case 'string':
    case 'dynamic':
      return number(`TRY_CAST(${v.sql} AS DOUBLE)`);
  }
}

/** Text as Logs Insights prints each type (see the module header). */
export function asString(v: SqlValue): SqlValue {
  switch (v.type) {
    case 'string':
      return v;
    case 'dynamic':
      return text(v.sql);
    case 'number':
      return text(
        `(CASE WHEN ${v.sql} = trunc(${v.sql}) AND abs(${v.sql}) < ${EXACT_INTEGER} THEN CAST(CAST(${v.sql} AS BIGINT) AS VARCHAR) ELSE CAST(${v.sql} AS VARCHAR) END)`,
      );
    case 'boolean':
      return text(`(CASE ${v.sql} WHEN true THEN '1' WHEN false THEN '0' END)`);
    case 'timestamp':
      return text(`strftime(${v.sql}, '%Y-%m-%d %H:%M:%S.%g')`);
  }
}

/**
 * A truth value: a number is true when non-zero; text is true for `true` and non-zero numbers, false
 * for `false` and zero, null otherwise; a timestamp is true when present.
 */
export function asBoolean(v: SqlValue): SqlValue {
  switch (v.type) {
    case 'boolean':
      return v;
    case 'number':
      return boolean(`(${v.sql} <> 0)`);
    case 'timestamp':
      return boolean(`(${v.sql} IS NOT NULL)`);
    case 'string':
    case 'dynamic':
      return boolean(`(CASE lower(${v.sql}) WHEN 'true' THEN true WHEN 'false' THEN false ELSE TRY_CAST(${v.sql} AS DOUBLE) <> 0 END)`);
  }
}

/** A TIMESTAMP from epoch ms (truncated to whole ms; null outside DuckDB's range). */
function fromEpochMs(ms: string): string {
  return `(CASE WHEN abs(${ms}) < ${MAX_TIMESTAMP_MS} THEN epoch_ms(CAST(trunc(${ms}) AS BIGINT)) END)`;
}

/**
 * A timestamp: a number is epoch ms; text is epoch ms when numeric, else an ISO-8601 date-time (with
 * `Z` or an offset it is converted to UTC; without one it is taken as UTC); a boolean is null.
 */
export function asTimestamp(v: SqlValue): SqlValue {
  switch (v.type) {
    case 'timestamp':
      return v;
    case 'number':
      return timestamp(fromEpochMs(v.sql));
    case 'boolean':
      return timestamp('CAST(NULL AS TIMESTAMP)');
    case 'string':
    case 'dynamic': {
      const n = `TRY_CAST(${v.sql} AS DOUBLE)`;
      return timestamp(
        `(CASE WHEN ${n} IS NOT NULL THEN ${fromEpochMs(n)} ` +
          `WHEN regexp_matches(${v.sql}, '(Z|[+-][0-9]{2}:?[0-9]{2})$') THEN timezone('UTC', TRY_CAST(${v.sql} AS TIMESTAMPTZ)) ` +
          `ELSE TRY_CAST(${v.sql} AS TIMESTAMP) END)`,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Time periods

const UNIT_MS: Record<PeriodUnit, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  // Calendar units have no fixed length; these nominal lengths are only for periodMs's callers.
  mo: 30 * 86_400_000,
  q: 90 * 86_400_000,
  y: 365 * 86_400_000,
};

/**
 * AWS caps a period's amount at its unit's natural maximum: `bin(300s)` is 60 seconds. The caps are
 * documented for ms (1000), s and m (60) and h (24); other units are not capped.
 */
const UNIT_CAP: Partial<Record<PeriodUnit, number>> = { ms: 1000, s: 60, m: 60, h: 24 };

const UNIT_MONTHS: Partial<Record<PeriodUnit, number>> = { mo: 1, q: 3, y: 12 };

/** The amount AWS uses for a period: the written amount, capped by its unit. */
export function periodAmount(p: PeriodLiteral): number {
  const cap = UNIT_CAP[p.unit];
  return cap === undefined ? p.amount : Math.min(p.amount, cap);
}

/**
 * A period's length in ms, after the cap. Months, quarters and years are calendar periods whose
 * length varies: for them this is a nominal length (30, 90 and 365 days); the datetime functions
 * bucket them on the calendar instead (periodMonths).
 */
export function periodMs(p: PeriodLiteral): number {
  return Math.round(periodAmount(p) * UNIT_MS[p.unit]);
}

/** The number of calendar months of a `mo`, `q` or `y` period; null for fixed-length units. */
export function periodMonths(p: PeriodLiteral): number | null {
  const k = UNIT_MONTHS[p.unit];
  return k === undefined ? null : p.amount * k;
}

// ---------------------------------------------------------------------------------------------
// Result values

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** `2024-01-01 12:00:00.000`, in UTC. */
export function formatTimestampMs(ms: number): string {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  return (
    `${y < 0 ? `-${pad(-y, 4)}` : pad(y, 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)} ` +
    `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.${pad(d.getUTCMilliseconds(), 3)}`
  );
}

function formatNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < EXACT_INTEGER) return String(n === 0 ? 0 : n);
  return String(n);
}

/**
 * A DuckDB result value (as @duckdb/node-api's row objects hold it, or as Db.all returns it) as
 * GetQueryResults shows it, given the static type of its column. Null shows as the empty string;
 * callers that follow AWS leave a null field out of the row instead.
 */
export function formatResultValue(value: unknown, type: ValueType): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return formatTimestampMs(value.getTime());
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'bigint') return type === 'timestamp' ? formatTimestampMs(Number(value)) : value.toString();
  if (typeof value === 'number') return type === 'timestamp' ? formatTimestampMs(value) : formatNumber(value);
  if (typeof value === 'string') return value;
  // Lists, maps and structs should not reach results (maps and lists are JSON text); show them as JSON.
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}
