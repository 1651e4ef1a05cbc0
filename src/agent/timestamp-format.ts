/**
 * The CloudWatch agent's `timestamp_format`: strftime-like directives (%Y, %b, %-d, %H, %f, %z...) turned
 * into one regular expression that finds the timestamp anywhere in a line, and a function that reads the
 * epoch milliseconds out of its match. A format without a year takes the current one (or the previous
 * one, for a date more than a day ahead: a December line read in January).
 */
import { ConfigError } from './regex.js';

type Field = 'year4' | 'year2' | 'monthName' | 'month' | 'day' | 'dayOfYear' | 'weekday' | 'hour24' | 'hour12' | 'ampm' | 'minute' | 'second' | 'fraction' | 'zoneName' | 'zoneOffset';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_NAMES = '(?:January|February|March|April|May|June|July|August|September|October|November|December)';
const MONTH_ABBR = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';

/** Each directive: its pattern and the field its one capture group holds (none for literals). */
const DIRECTIVES: Record<string, [string, Field]> = {
  Y: ['\\d{4}', 'year4'],
  y: ['\\d{2}', 'year2'],
  b: [MONTH_ABBR, 'monthName'],
  h: [MONTH_ABBR, 'monthName'],
  B: [MONTH_NAMES, 'monthName'],
  m: ['\\d{2}', 'month'],
  '-m': ['\\d{1,2}', 'month'],
  d: ['\\d{2}', 'day'],
  '-d': ['\\d{1,2}', 'day'],
  e: [' ?\\d{1,2}', 'day'],
  j: ['\\d{3}', 'dayOfYear'],
  A: ['(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)', 'weekday'],
  a: ['(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)', 'weekday'],
  H: ['\\d{2}', 'hour24'],
  '-H': ['\\d{1,2}', 'hour24'],
  I: ['\\d{2}', 'hour12'],
  '-I': ['\\d{1,2}', 'hour12'],
  p: ['(?:AM|PM|am|pm)', 'ampm'],
  M: ['\\d{2}', 'minute'],
  '-M': ['\\d{1,2}', 'minute'],
  S: ['\\d{2}', 'second'],
  '-S': ['\\d{1,2}', 'second'],
  f: ['\\d{1,9}', 'fraction'],
  Z: ['[A-Za-z]{1,5}', 'zoneName'],
  z: ['(?:Z|[+-]\\d{2}:?\\d{2})', 'zoneOffset'],
};

export interface TimestampFormat {
  readonly format: string;
  /** Finds the timestamp in a line (no `g` flag: stateless). */
  readonly regex: RegExp;
  /** The event time of a line, with where its timestamp is, or undefined when the line has none. */
  parse(line: string, nowMs: number): { ms: number; start: number; end: number } | undefined;
}

export function compileTimestampFormat(format: string, timezone: 'Local' | 'UTC', where: string): TimestampFormat {
  let source = '';
  const fields: Field[] = [];
  for (let i = 0; i < format.length; i++) {
    const c = format[i] as string;
    if (c !== '%') {
      source += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      continue;
    }
    let key = format[i + 1] ?? '';
    if (key === '-') key = `-${format[i + 2] ?? ''}`;
    i += key.length;
    if (key === '%') {
      source += '%';
    } else if (key === 'T') {
      source += '(\\d{2}):(\\d{2}):(\\d{2})';
      fields.push('hour24', 'minute', 'second');
    } else {
      const d = DIRECTIVES[key];
      if (d === undefined) throw new ConfigError(`invalid agent configuration: ${where}: unknown directive %${key} in ${JSON.stringify(format)}`);
      source += `(${d[0]})`;
      fields.push(d[1]);
    }
  }
  if (!fields.some((f) => f === 'hour24' || f === 'hour12' || f === 'day' || f === 'dayOfYear')) {
    throw new ConfigError(`invalid agent configuration: ${where}: ${JSON.stringify(format)} has neither a day nor an hour`);
  }
  const regex = new RegExp(source);
  return {
    format,
    regex,
    parse(line, nowMs) {
      const m = regex.exec(line);
      if (m === null) return undefined;
      const ms = toEpochMs(fields, m, timezone, nowMs);
      return Number.isFinite(ms) ? { ms, start: m.index, end: m.index + m[0].length } : undefined;
    },
  };
}

function toEpochMs(fields: Field[], m: RegExpExecArray, timezone: 'Local' | 'UTC', nowMs: number): number {
  let year: number | undefined;
  let month: number | undefined;
  let day: number | undefined;
  let dayOfYear: number | undefined;
  let hour = 0;
  let pm: boolean | undefined;
  let minute = 0;
  let second = 0;
  let ms = 0;
  let offsetMin: number | undefined;
  fields.forEach((f, i) => {
    const v = m[i + 1] ?? '';
    switch (f) {
      case 'year4': year = Number(v); break;
      case 'year2': year = 2000 + Number(v); break;
      case 'monthName': month = MONTHS.indexOf(v.slice(0, 3).toLowerCase()); break;
      case 'month': month = Number(v) - 1; break;
      case 'day': day = Number(v.trim()); break;
      case 'dayOfYear': dayOfYear = Number(v); break;
      case 'hour24': case 'hour12': hour = Number(v); break;
      case 'ampm': pm = v.toLowerCase() === 'pm'; break;
      case 'minute': minute = Number(v); break;
      case 'second': second = Number(v); break;
      case 'fraction': ms = Math.floor(Number(`0.${v}`) * 1000); break;
      case 'zoneName': if (/^(UTC|GMT|Z)$/i.test(v)) offsetMin = 0; break;
      case 'zoneOffset': offsetMin = v === 'Z' ? 0 : Math.sign(Number(`${v[0]}1`)) * (Number(v.slice(1, 3)) * 60 + Number(v.slice(-2))); break;
      case 'weekday': break;
    }
  });
  if (pm !== undefined) hour = (hour % 12) + (pm ? 12 : 0);
  if ((month !== undefined && (month < 0 || month > 11)) || (day !== undefined && (day < 1 || day > 31)) || hour > 23 || minute > 59 || second > 60) return Number.NaN;
  if (month === undefined && day === undefined && dayOfYear === undefined && year === undefined) {
    // A time of day alone: today's, or yesterday's when that would be more than an hour ahead.
    const today = new Date(nowMs);
    const utc = offsetMin !== undefined || timezone === 'UTC';
    const y = utc ? today.getUTCFullYear() : today.getFullYear();
    const mo = utc ? today.getUTCMonth() : today.getMonth();
    const d = utc ? today.getUTCDate() : today.getDate();
    const at = (dd: number): number =>
      offsetMin !== undefined ? Date.UTC(y, mo, dd, hour, minute, second, ms) - offsetMin * 60_000
        : utc ? Date.UTC(y, mo, dd, hour, minute, second, ms) : new Date(y, mo, dd, hour, minute, second, ms).getTime();
    const guess = at(d);
    return guess > nowMs + 3600_000 ? at(d - 1) : guess;
  }
  const at = (y: number): number => {
    const d = dayOfYear ?? day ?? 1;
    const mo = dayOfYear === undefined ? (month ?? 0) : 0;
    if (offsetMin !== undefined) return Date.UTC(y, mo, d, hour, minute, second, ms) - offsetMin * 60_000;
    return timezone === 'UTC' ? Date.UTC(y, mo, d, hour, minute, second, ms) : new Date(y, mo, d, hour, minute, second, ms).getTime();
  };
  if (year !== undefined) return at(year);
  const thisYear = new Date(nowMs).getUTCFullYear();
  const guess = at(thisYear);
  return guess > nowMs + 24 * 3600_000 ? at(thisYear - 1) : guess;
}
