/**
 * Parsing one syslog message, RFC 5424 or RFC 3164 (BSD), into named fields. Kept in this one module so
 * that it can be replaced by the format parsers of src/formats/ (issue #8) without touching the listeners.
 *
 * RFC 3164 timestamps have no year and no zone: they are read as UTC, in the current year (the previous
 * one when that would put them more than a day in the future).
 */

export interface SyslogRecord {
  format: 'rfc5424' | 'rfc3164';
  facility: string;
  severity: string;
  /** ms since the epoch; null when the message has none (`-`). */
  timestamp: number | null;
  hostname: string | null;
  appName: string | null;
  procId: string | null;
  msgId: string | null;
  /** RFC 5424 structured data: SD-ID to its parameters. */
  structuredData: Record<string, Record<string, string>> | null;
  message: string;
}

export type SyslogParse = { ok: true; record: SyslogRecord } | { ok: false; error: string };

const FACILITIES = ['kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp', 'ntp', 'security', 'console', 'solaris-cron', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'];
const SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const RFC5424 = /^(\S+) (\S+) (\S+) (\S+) (\S+) /;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;
const RFC3164 = /^([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\S+) ?([\s\S]*)$/;
const TAG = /^([^:[\s]{1,48})(?:\[([^\]]{1,128})\])?: ?([\s\S]*)$/;

const nil = (v: string): string | null => (v === '-' ? null : v);

export function parseSyslog(line: string, nowMs: number): SyslogParse {
  const pri = /^<(\d{1,3})>/.exec(line);
  if (!pri) return { ok: false, error: 'no <PRI> at the start' };
  const p = Number(pri[1]);
  if (p > 191) return { ok: false, error: `PRI ${p} is out of range (0-191)` };
  const facility = FACILITIES[p >> 3]!;
  const severity = SEVERITIES[p & 7]!;
  const rest = line.slice(pri[0].length);
  if (rest.startsWith('1 ')) return parse5424(rest.slice(2), facility, severity);
  return parse3164(rest, facility, severity, nowMs);
}

function parse5424(text: string, facility: string, severity: string): SyslogParse {
  const h = RFC5424.exec(text);
  if (!h) return { ok: false, error: 'RFC 5424 header incomplete (TIMESTAMP HOSTNAME APP-NAME PROCID MSGID)' };
  let timestamp: number | null = null;
  if (h[1] !== '-') {
    if (!RFC3339.test(h[1]!) || Number.isNaN(Date.parse(h[1]!))) return { ok: false, error: `invalid RFC 5424 timestamp '${h[1]}'` };
    timestamp = Date.parse(h[1]!);
  }
  const sd = structuredData(text.slice(h[0].length));
  if ('error' in sd) return { ok: false, error: sd.error };
  let message = sd.rest.startsWith(' ') ? sd.rest.slice(1) : sd.rest;
  if (message.startsWith('\uFEFF')) message = message.slice(1);
  return {
    ok: true,
    record: { format: 'rfc5424', facility, severity, timestamp, hostname: nil(h[2]!), appName: nil(h[3]!), procId: nil(h[4]!), msgId: nil(h[5]!), structuredData: sd.data, message },
  };
}

/** `-` or one or more `[SD-ID name="value" ...]`, values escaping `"`, `\` and `]` with `\`. */
function structuredData(text: string): { data: Record<string, Record<string, string>> | null; rest: string } | { error: string } {
  if (text.startsWith('-')) return { data: null, rest: text.slice(1) };
  const data: Record<string, Record<string, string>> = {};
  let i = 0;
  while (text[i] === '[') {
    const id = /^\[([^\s=\]"]{1,32})/.exec(text.slice(i));
    if (!id) return { error: 'invalid STRUCTURED-DATA element' };
    i += id[0].length;
    const params: Record<string, string> = {};
    for (;;) {
      if (text[i] === ']') {
        i++;
        break;
      }
      const name = /^ ([^\s=\]"]{1,32})="/.exec(text.slice(i));
      if (!name) return { error: `invalid parameter in STRUCTURED-DATA [${id[1]}]` };
      i += name[0].length;
      let value = '';
      for (; i < text.length && text[i] !== '"'; i++) {
        if (text[i] === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\' || text[i + 1] === ']')) i++;
        value += text[i];
      }
      if (i >= text.length) return { error: `unterminated value in STRUCTURED-DATA [${id[1]}]` };
      i++;
      params[name[1]!] = value;
    }
    data[id[1]!] = params;
  }
  if (i === 0) return { error: 'STRUCTURED-DATA must be - or [...]' };
  return { data, rest: text.slice(i) };
}

function parse3164(text: string, facility: string, severity: string, nowMs: number): SyslogParse {
  const m = RFC3164.exec(text);
  if (!m) return { ok: false, error: 'neither RFC 5424 (<PRI>1 ...) nor RFC 3164 (<PRI>Mmm dd hh:mm:ss HOST ...)' };
  const month = MONTHS.indexOf(m[1]!);
  if (month < 0) return { ok: false, error: `unknown month '${m[1]}'` };
  const [day, hh, mm, ss] = [Number(m[2]!.trim()), Number(m[3]), Number(m[4]), Number(m[5])];
  if (day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60) return { ok: false, error: 'invalid RFC 3164 timestamp' };
  const year = new Date(nowMs).getUTCFullYear();
  let timestamp = Date.UTC(year, month, day, hh, mm, ss);
  if (timestamp > nowMs + 86_400_000) timestamp = Date.UTC(year - 1, month, day, hh, mm, ss);
  const tag = TAG.exec(m[7]!);
  return {
    ok: true,
    record: {
      format: 'rfc3164',
      facility,
      severity,
      timestamp,
      hostname: m[6]!,
      appName: tag ? tag[1]! : null,
      procId: tag?.[2] ?? null,
      msgId: null,
      structuredData: null,
      message: tag ? tag[3]! : m[7]!,
    },
  };
}
