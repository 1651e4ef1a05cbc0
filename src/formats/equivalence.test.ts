/**
 * The fast paths of the parsers against what they replaced: the JSON formats were JSON.parse of every
 * line or document, the line formats cut their time out of the line and read it with Date.UTC. Those
 * implementations are kept here as references, and the parsers must give the same events (time,
 * fields, parse error) on the golden fixtures, on their lines mutated at random, and on generated
 * lines and documents.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FORMATS, type FormatName } from './index.js';
import { capture, clfTimeAt, isoTimeAt, parseLine, parseLines, secondsTimeAt } from './line-regex.js';
import { FALLBACK_MS, formatFixtures } from './testing.js';
import type { Fields, LineFormat, ParsedEvent } from './types.js';

type RefDocument = { events: ParsedEvent[]; errors: number; skipped: number };

// ---- The references: the previous implementations. ----

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };
const digit = (s: string, i: number): number => {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : Number.NaN;
};
const num2 = (s: string, i: number): number => digit(s, i) * 10 + digit(s, i + 1);
const num4 = (s: string, i: number): number => num2(s, i) * 100 + num2(s, i + 2);
function utc(y: number, mo: number, d: number, h: number, mi: number, sec: number, ms: number): number {
  if (!(mo >= 0 && mo <= 11 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && sec <= 60)) return Number.NaN;
  return Date.UTC(y, mo, d, h, mi, sec, ms);
}
function refClfTime(s: unknown): number {
  if (typeof s !== 'string' || s.length < 26 || s[2] !== '/' || s[6] !== '/' || s[11] !== ':' || s[14] !== ':' || s[17] !== ':') return Number.NaN;
  const mon = MONTHS[s.slice(3, 6)];
  if (mon === undefined) return Number.NaN;
  let i = 20;
  let ms = 0;
  if (s[i] === '.') {
    let k = 0;
    for (i++; i < s.length && s[i] !== ' '; i++, k++) if (k < 3) ms = ms * 10 + digit(s, i);
    if (k === 0) return Number.NaN;
    for (; k < 3; k++) ms *= 10;
  }
  if (s.length !== i + 6 || s[i] !== ' ' || (s[i + 1] !== '+' && s[i + 1] !== '-')) return Number.NaN;
  const off = (num2(s, i + 2) * 60 + num2(s, i + 4)) * 60_000;
  const t = utc(num4(s, 7), mon, num2(s, 0), num2(s, 12), num2(s, 15), num2(s, 18), ms);
  return s[i + 1] === '+' ? t - off : t + off;
}
function refIsoTime(s: unknown): number {
  if (typeof s !== 'string' || s.length < 19 || s[4] !== '-' || s[7] !== '-' || (s[10] !== 'T' && s[10] !== ' ') || s[13] !== ':' || s[16] !== ':') return Number.NaN;
  let i = 19;
  let ms = 0;
  if (s[i] === '.') {
    let k = 0;
    for (i++; i < s.length && digit(s, i) >= 0; i++, k++) if (k < 3) ms = ms * 10 + digit(s, i);
    if (k === 0) return Number.NaN;
    for (; k < 3; k++) ms *= 10;
  }
  let off = 0;
  if (i === s.length - 1 && s[i] === 'Z') i++;
  else if (s[i] === '+' || s[i] === '-') {
    const colon = s[i + 3] === ':' ? 1 : 0;
    if (s.length !== i + 5 + colon) return Number.NaN;
    off = (num2(s, i + 1) * 60 + num2(s, i + 3 + colon)) * 60_000 * (s[i] === '+' ? 1 : -1);
    i = s.length;
  }
  if (i !== s.length) return Number.NaN;
  return utc(num4(s, 0), num2(s, 5) - 1, num2(s, 8), num2(s, 11), num2(s, 14), num2(s, 17), ms) - off;
}
function refSecondsTime(s: unknown): number {
  if (typeof s !== 'string' || s.length === 0 || s.length > 12) return Number.NaN;
  let n = 0;
  for (let i = 0; i < s.length; i++) n = n * 10 + digit(s, i);
  return n * 1000;
}
function refBsdTimeIn(s: unknown, year: number, refMs: number): number {
  if (typeof s !== 'string' || s.length !== 15 || s[3] !== ' ' || s[6] !== ' ' || s[9] !== ':' || s[12] !== ':') return Number.NaN;
  const mon = MONTHS[s.slice(0, 3)];
  const day = s[4] === ' ' ? Number(s[5]) : Number(s.slice(4, 6));
  const h = Number(s.slice(7, 9));
  const mi = Number(s.slice(10, 12));
  const sec = Number(s.slice(13, 15));
  if (mon === undefined || !(day >= 1 && day <= 31 && h <= 23 && mi <= 59 && sec <= 60)) return Number.NaN;
  const t = Date.UTC(year, mon, day, h, mi, sec);
  return t > refMs + 86_400_000 ? Date.UTC(year - 1, mon, day, h, mi, sec) : t;
}
const tokenAt = (n: number) => (line: string): string => {
  let from = 0;
  for (let k = 0; k < n; k++) from = line.indexOf(' ', from) + 1;
  const to = line.indexOf(' ', from);
  return line.slice(from, to < 0 ? line.length : to);
};
const bracketAfter = (n: number) => (line: string): string => {
  let from = 0;
  for (let k = 0; k < n; k++) from = line.indexOf(' ', from) + 1;
  return line.slice(from + 1, line.indexOf(']', from));
};
const afterPri = (line: string): string => {
  const from = line.charCodeAt(0) === 60 ? line.indexOf('>') + 1 : 0;
  return line.slice(from, from + 15);
};
const YEAR = new Date(FALLBACK_MS).getUTCFullYear();
/** How each regex line format found and read its time. */
const REF_TIME: Partial<Record<FormatName, [(line: string) => string, (v: string) => number, string]>> = {
  alb: [tokenAt(1), refIsoTime, 'Application Load Balancer access log'],
  nlb: [tokenAt(2), refIsoTime, 'Network Load Balancer access log'],
  clb: [tokenAt(0), refIsoTime, 'Classic Load Balancer access log'],
  'route53-dns': [tokenAt(1), refIsoTime, 'Route 53 DNS query log'],
  'syslog-rfc5424': [tokenAt(1), refIsoTime, 'syslog (RFC 5424)'],
  's3-access': [bracketAfter(2), refClfTime, 'S3 server access log'],
  combined: [bracketAfter(3), refClfTime, 'combined access log'],
  'global-accelerator': [tokenAt(13), refSecondsTime, 'Global Accelerator flow log'],
  'syslog-rfc3164': [afterPri, (v) => refBsdTimeIn(v, YEAR, FALLBACK_MS), 'syslog (RFC 3164)'],
};

type Seen = { timestamp: number; fields: Fields; parseError?: string; message: string };
const seen = (e: ParsedEvent): Seen => ({ timestamp: e.timestamp, fields: e.fields, ...(e.parseError !== undefined ? { parseError: e.parseError } : {}), message: e.message });

function refRegexLine(format: LineFormat, line: string): Seen {
  const [timeText, time, what] = REF_TIME[format.name as FormatName]!;
  const ex = format.extraction!();
  const re = new RegExp(ex!.pattern);
  if (!re.test(line)) return { timestamp: FALLBACK_MS, fields: {}, parseError: `not a ${what} line`, message: line };
  const t = time(timeText(line));
  return { timestamp: Number.isFinite(t) ? t : FALLBACK_MS, fields: capture(re, ex!.fields, line) ?? {}, message: line };
}

function refTimeValueMs(v: unknown): number {
  const epoch = (n: number): number => {
    if (!Number.isFinite(n) || n <= 0) return Number.NaN;
    if (n < 1e11) return Math.round(n * 1000);
    if (n < 1e14) return Math.round(n);
    if (n < 1e17) return Math.round(n / 1000);
    return Math.round(n / 1e6);
  };
  if (typeof v === 'number') return epoch(v);
  if (typeof v === 'string') return /^\d+(\.\d+)?$/.test(v) ? epoch(Number(v)) : refIsoTime(v);
  return Number.NaN;
}
/** How each JSON line format read its time from the parsed object. */
const REF_JSON: Partial<Record<FormatName, [(o: Fields) => number, string]>> = {
  json: [
    (o) => {
      for (const k of ['timestamp', '@timestamp', 'time', 'ts', 'date']) {
        if (k in o) {
          const t = refTimeValueMs(o[k]);
          if (Number.isFinite(t)) return t;
        }
      }
      return Number.NaN;
    },
    'JSON lines',
  ],
  waf: [(o) => refTimeValueMs(o.timestamp), 'AWS WAF log'],
  'route53-resolver': [(o) => refIsoTime(o.query_timestamp), 'Route 53 Resolver query log'],
};

function refJsonLine(name: FormatName, line: string): Seen {
  const [time, what] = REF_JSON[name]!;
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch (e) {
    return { timestamp: FALLBACK_MS, fields: {}, parseError: `not JSON: ${(e as Error).message}`, message: line };
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return { timestamp: FALLBACK_MS, fields: {}, parseError: `a ${what} line is a JSON object`, message: line };
  const t = time(o as Fields);
  return { timestamp: Number.isFinite(t) ? t : FALLBACK_MS, fields: o as Fields, message: line };
}

function refRecordsDocument(text: string, key: string, time: (r: Fields) => number): RefDocument | null {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return null;
  }
  const records = doc !== null && typeof doc === 'object' ? (doc as Record<string, unknown>)[key] : undefined;
  if (!Array.isArray(records)) return null;
  let errors = 0;
  const events = (records as unknown[]).map((r): ParsedEvent => {
    const message = JSON.stringify(r);
    if (r === null || typeof r !== 'object' || Array.isArray(r)) {
      errors++;
      return { timestamp: FALLBACK_MS, message, fields: {}, parseError: `a ${key} entry is a JSON object` };
    }
    const t = time(r as Fields);
    return { timestamp: Number.isFinite(t) ? t : FALLBACK_MS, message, fields: JSON.parse(message) as Fields };
  });
  return { events, errors, skipped: 0 };
}

// ---- Mutations. ----

const ALPHABET = [' ', ' ', '"', '\\', '[', ']', '{', '}', ':', ',', '-', '+', '.', '/', '<', '>', 'T', 'Z', 'e', 'u', '0', '1', '5', '9', 'x', 'J', 'a', '\t', '\r', '\u2028', 'é', '\u0000'];
const edits = fc.array(fc.tuple(fc.constantFrom('insert', 'delete', 'replace'), fc.nat(), fc.constantFrom(...ALPHABET)), { minLength: 1, maxLength: 3 });
function mutate(s: string, ops: Array<[string, number, string]>): string {
  for (const [op, at, ch] of ops) {
    const p = s.length === 0 ? 0 : at % (s.length + 1);
    if (op === 'insert') s = s.slice(0, p) + ch + s.slice(p);
    else if (op === 'delete') s = s.slice(0, p) + s.slice(p + 1);
    else s = s.slice(0, p) + ch + s.slice(p + 1);
  }
  return s.replace(/\n/g, ' ');
}

const fixtureLines = (name: FormatName): string[] =>
  formatFixtures()
    .filter((f) => f.format === name)
    .flatMap((f) => f.text.split('\n'))
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l !== '');

// ---- The tests. ----

test('times read in place are the times the previous readers gave the cut-out text', () => {
  const iso = fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 24 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 61 }), fc.constantFrom('', '.5', '.123456', '.', 'Z', '.1Z', '+02:00', '-0130', '+2', 'z', ' '), fc.constantFrom('T', ' ', 't'))
    .map(([y, mo, d, h, mi, s, tail, t]) => `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}${t}${String(h).padStart(2, '0')}:${String(mi).padStart(2, '0')}:${String(s).padStart(2, '0')}${tail}`);
  const clf = fc.tuple(fc.integer({ min: 0, max: 32 }), fc.constantFrom('Jan', 'Feb', 'Dec', 'Foo', 'jan'), fc.integer({ min: 1969, max: 2100 }), fc.integer({ min: 0, max: 24 }), fc.integer({ min: 0, max: 60 }), fc.constantFrom('', '.5', '.123456', '.'), fc.constantFrom(' +0000', ' -0700', ' +0530', '+0000', ' +000'))
    .map(([d, m, y, h, mi, frac, zone]) => `${String(d).padStart(2, '0')}/${m}/${y}:${String(h).padStart(2, '0')}:${String(mi).padStart(2, '0')}:07${frac}${zone}`);
  const around = fc.tuple(fc.string({ maxLength: 3 }), fc.string({ maxLength: 3 }));
  fc.assert(
    fc.property(fc.oneof(iso, clf, fc.stringMatching(/^[0-9]{0,14}$/)), edits, fc.boolean(), around, (t, ops, mutated, [before, after]) => {
      const v = mutated ? mutate(t, ops) : t;
      const line = `${before}${v}${after}`;
      const from = before.length;
      const to = from + v.length;
      assert.equal(isoTimeAt(line, from, to), refIsoTime(v), `iso ${JSON.stringify(v)}`);
      assert.equal(clfTimeAt(line, from, to), refClfTime(v), `clf ${JSON.stringify(v)}`);
      assert.equal(secondsTimeAt(line, from, to), refSecondsTime(v), `seconds ${JSON.stringify(v)}`);
    }),
    { numRuns: 5000 },
  );
});

for (const name of Object.keys(REF_TIME) as FormatName[]) {
  test(`${name}: the same events as a match of its pattern and the previous time reader, on its fixtures and their mutations`, () => {
    const format = FORMATS[name] as LineFormat;
    const lines = fixtureLines(name);
    const check = (line: string): void => {
      const got = parseLine(format.lineParser({ fallbackMs: FALLBACK_MS }), line, FALLBACK_MS);
      assert.ok(got !== null);
      assert.deepEqual(seen(got), refRegexLine(format, line), JSON.stringify(line));
    };
    lines.forEach(check);
    fc.assert(
      fc.property(fc.constantFrom(...lines), edits, (line, ops) => check(mutate(line, ops))),
      { numRuns: 1500 },
    );
  });
}

/** JSON objects with times of every kind where the formats look for them. */
const timeValue = fc.oneof(
  fc.constantFrom('2023-11-14T22:13:20.5Z', '2023-11-14T22:13:20Z', '2023-11-14 22:13:20+01:00', '2023-11-14T22:13:20\\u005a', '\\u0032023-11-14T22:13:20Z', '1700000000', '1700000000.5', '17e8', 'yesterday', '').map((s) => `"${s}"`),
  fc.constantFrom('1700000000', '1700000000123', '1700000000123456', '1700000000123456789', '1.7e9', '1700000000.25', '-5', '0', '-0', '123456789012345678901', 'true', 'null', '{"a":1}', '[1700000000]'),
);
const timeKey = fc.constantFrom('timestamp', '@timestamp', 'time', 'ts', 'date', 'query_timestamp', 'tim\\u0065', 'Timestamp', 'level');
const jsonObjectLine = fc
  .tuple(fc.array(fc.tuple(timeKey, timeValue), { maxLength: 4 }), fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('', ' '))
  .map(([members, other, ws]) => `{${ws}${[...members.map(([k, v]) => `"${k}"${ws}:${ws}${v}`), `"other":${JSON.stringify(other)}`].join(`,${ws}`)}${ws}}`);

for (const name of Object.keys(REF_JSON) as FormatName[]) {
  test(`${name}: the same events as JSON.parse of every line, on fixtures, generated lines and their mutations`, () => {
    const format = FORMATS[name] as LineFormat;
    const check = (line: string): void => {
      const got = parseLine(format.lineParser({ fallbackMs: FALLBACK_MS }), line, FALLBACK_MS);
      assert.ok(got !== null);
      assert.deepEqual(seen(got), refJsonLine(name, line), JSON.stringify(line));
    };
    const lines = fixtureLines(name);
    lines.forEach(check);
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom(...lines), jsonObjectLine), fc.option(edits, { nil: undefined }), (line, ops) => check(ops ? mutate(line, ops) : line)),
      { numRuns: 3000 },
    );
  });
}

test('cloudtrail and config: the same events as JSON.parse of the document (messages: the records as delivered, which JSON.stringify writes alike when compact)', () => {
  const cases: Array<[FormatName, string, string]> = [
    ['cloudtrail', 'Records', 'eventTime'],
    ['config', 'configurationItems', 'configurationItemCaptureTime'],
  ];
  for (const [name, key, timeName] of cases) {
    const format = FORMATS[name];
    assert.equal(format.kind, 'document');
    const reference = (text: string): RefDocument | null => refRecordsDocument(text, key, (r) => refIsoTime(r[timeName]));
    const check = (text: string): void => {
      const parsed = format.parseDocument(text, { fallbackMs: FALLBACK_MS });
      const got = { events: parsed.events(), errors: parsed.errors };
      const want = reference(text);
      if (want === null) return assert.ok(got.events.every((e) => e.parseError !== undefined) || name === 'config', 'not a records document: raw lines (or one Config item)');
      assert.equal(got.events.length, want.events.length);
      assert.equal(got.errors, want.errors);
      got.events.forEach((e, k) => {
        const w = want.events[k]!;
        assert.equal(e.timestamp, w.timestamp);
        assert.equal(e.parseError, w.parseError);
        // The previous messages were the records written out again, which turns -0 into 0.
        const norm = (v: unknown): unknown => JSON.parse(JSON.stringify(v));
        assert.deepEqual(norm(e.fields), norm(w.fields));
        assert.deepEqual(norm(JSON.parse(e.message)), norm(JSON.parse(w.message)));
      });
    };
    const docs = formatFixtures().filter((f) => f.format === name).map((f) => f.text);
    docs.forEach(check);
    // Every fixture record is written as JSON.stringify writes it (compact, as AWS delivers).
    for (const text of docs) {
      const want = reference(text);
      if (want) assert.deepEqual(format.parseDocument(text, { fallbackMs: FALLBACK_MS }).events().map((e) => e.message), want.events.map((e) => e.message));
    }
    const record = fc
      .tuple(fc.array(fc.tuple(fc.constantFrom(timeName, 'eventName', 'awsRegion', key, 'tim\\u0065'), timeValue), { maxLength: 4 }), fc.jsonValue({ maxDepth: 2 }))
      .map(([members, other]) => `{${[...members.map(([k, v]) => `"${k}":${v}`), `"other":${JSON.stringify(other)}`].join(',')}}`);
    const doc = fc
      .tuple(fc.array(fc.oneof(record, record, fc.jsonValue({ maxDepth: 1 }).map((v) => JSON.stringify(v))), { maxLength: 5 }), fc.constantFrom('', ' ', '\n  '), fc.boolean())
      .map(([records, ws, other]) => `{${other ? `"fileVersion":"1.0",${ws}` : ''}"${key}":${ws}[${ws}${records.join(`,${ws}`)}${ws}]${ws}}`);
    fc.assert(
      fc.property(fc.oneof(doc, fc.constantFrom(...docs)), fc.option(edits, { nil: undefined }), (text, ops) => check(ops ? mutate(text, ops) : text)),
      { numRuns: 1500 },
    );
  }
});

test('JSON line formats read in place in a whole object: the events of its lines one at a time (property)', () => {
  // Lines that end inside a string, an object or whitespace must not be read on into the next line.
  const piece = fc.constantFrom('{', '{"a":', '"', '{"time":"2023-11-14T22:13:20Z"', ' ', '\r', '}', '{}', '[1]', '  {"ts":1700000000}  ', '{"ts":1700000000}\r', '');
  const line = fc.oneof(jsonObjectLine, piece, fc.tuple(jsonObjectLine, edits).map(([l, ops]) => mutate(l, ops)));
  for (const name of Object.keys(REF_JSON) as FormatName[]) {
    const format = FORMATS[name] as LineFormat;
    fc.assert(
      fc.property(fc.array(line, { maxLength: 8 }), (lines) => {
        const text = lines.join('\n');
        const one = text.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l !== '').map((l) => seen(parseLine(format.lineParser({ fallbackMs: FALLBACK_MS }), l, FALLBACK_MS)!));
        assert.deepEqual(parseLines(format.lineParser({ fallbackMs: FALLBACK_MS }), text, FALLBACK_MS).events().map(seen), one);
      }),
      { numRuns: 1000 },
    );
  }
});

test('parseLines over a whole object gives the events one line at a time gives', () => {
  const text = fixtureLines('json').join('\n');
  const one = text.split('\n').map((l) => seen(parseLine(FORMATS.json.lineParser({ fallbackMs: FALLBACK_MS }), l, FALLBACK_MS)!));
  assert.deepEqual(parseLines(FORMATS.json.lineParser({ fallbackMs: FALLBACK_MS }), text, FALLBACK_MS).events().map(seen), one);
});
