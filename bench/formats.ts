/**
 * `npm run bench -- --only formats`: the format parsers against issue #8's bar (every parser at least
 * 100 MB/s per core). Each parser reads its golden fixture data scaled up to about `mb` MB (events
 * that parse, repeated, in objects of about 4 MB with their header lines; CloudTrail and Config as
 * delivery documents of about 4 MB), as bytes: decoding is part of the cost (parseBytes, as ingest
 * decodes: decodeText). Single-threaded, in this process, before any server starts. In the same run,
 * references over the same bytes: JSON.parse of JSON lines (the WAF fixture scaled the same way,
 * decoded with Buffer.toString('utf8') and parsed line by line), and splitting the text into lines
 * after Buffer.toString('utf8') and after decodeText.
 * Throughput is bytes over the best of `runs` timed passes (after one warm-up pass).
 */
import os from 'node:os';
import { decodeText, FORMATS, FORMAT_NAMES, parseBytes, parseText, type FormatName } from '../src/formats/index.js';
import { FALLBACK_MS, formatFixtures } from '../src/formats/testing.js';
import type { Row } from './report.js';

export interface FormatBenchResult {
  mb: number;
  runs: number;
  loadavgBefore: number[];
  loadavgAfter: number[];
  formats: Array<{ format: FormatName; bytes: number; events: number; errors: number; mbPerS: number; cpuMbPerS: number }>;
  references: Array<{ name: string; bytes: number; mbPerS: number }>;
}

const DOC_BYTES = 4 << 20;

/** The fixture data of `format` scaled up to about `target` bytes: one or more objects. */
function scaled(format: FormatName, target: number): Buffer[] {
  const f = FORMATS[format];
  const fixtures = formatFixtures().filter((x) => x.format === format);
  if (f.kind === 'document') {
    const key = format === 'cloudtrail' ? 'Records' : 'configurationItems';
    const records = fixtures.flatMap((x) => parseText(f, x.text, { fallbackMs: FALLBACK_MS }).events().filter((e) => e.parseError === undefined).map((e) => e.message));
    const docs: Buffer[] = [];
    let total = 0;
    while (total < target) {
      const parts: string[] = [];
      let size = 0;
      for (let i = 0; size < DOC_BYTES; i++) {
        const r = records[i % records.length]!;
        parts.push(r);
        size += r.length + 1;
      }
      const doc = Buffer.from(`{${format === 'config' ? '"fileVersion":"1.0",' : ''}"${key}":[${parts.join(',')}]}`);
      docs.push(doc);
      total += doc.length;
    }
    return docs;
  }
  // Line formats: objects of about 4 MB (as delivered), each one fixture's header lines (if any)
  // and then its lines that parse, repeated.
  const sources = fixtures.flatMap((x) => {
    const parser = f.lineParser({ fallbackMs: FALLBACK_MS });
    const header: string[] = [];
    const good: string[] = [];
    for (const line of x.text.split('\n')) {
      if (line === '') continue;
      const t = parser.time(line, 0, line.length);
      if (t === null) header.push(line);
      else if (typeof t === 'number') good.push(line);
    }
    return good.length > 0 ? [{ header, good }] : [];
  });
  const out: Buffer[] = [];
  let totalBytes = 0;
  for (let n = 0; totalBytes < target; n++) {
    const { header, good } = sources[n % sources.length]!;
    const body: string[] = [...header];
    let size = 0;
    for (let i = 0; size < DOC_BYTES; i++) {
      const l = good[i % good.length]!;
      body.push(l);
      size += l.length + 1;
    }
    const buf = Buffer.from(`${body.join('\n')}\n`);
    out.push(buf);
    totalBytes += buf.length;
  }
  return out;
}

function timeBest(runs: number, fn: () => number): { wallMs: number; cpuMs: number; result: number } {
  fn(); // warm-up
  let best = { wallMs: Infinity, cpuMs: Infinity, result: 0 };
  for (let i = 0; i < runs; i++) {
    globalThis.gc?.();
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const result = fn();
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const c = process.cpuUsage(c0);
    if (wallMs < best.wallMs) best = { wallMs, cpuMs: (c.user + c.system) / 1000, result };
  }
  return best;
}

const total = (bufs: Buffer[]): number => bufs.reduce((a, b) => a + b.length, 0);

export function runFormatsBench(opts: { mb: number; runs: number; log: (line: string) => void }): FormatBenchResult {
  const target = opts.mb * 1e6;
  const loadavgBefore = os.loadavg();
  const formats: FormatBenchResult['formats'] = [];
  let sink = 0;
  for (const name of FORMAT_NAMES) {
    const objects = scaled(name, target);
    const bytes = total(objects);
    let events = 0;
    let errors = 0;
    const t = timeBest(opts.runs, () => {
      events = 0;
      errors = 0;
      for (const buf of objects) {
        const r = parseBytes(FORMATS[name], buf, { fallbackMs: FALLBACK_MS });
        events += r.count;
        errors += r.errors;
        sink += r.count > 0 ? r.timestamp(r.count - 1) : 0;
      }
      return events;
    });
    const row = { format: name, bytes, events, errors, mbPerS: bytes / 1e6 / (t.wallMs / 1000), cpuMbPerS: bytes / 1e6 / (t.cpuMs / 1000) };
    opts.log(`formats: ${name.padEnd(18)} ${(bytes / 1e6).toFixed(1)} MB, ${events} events, ${row.mbPerS.toFixed(0)} MB/s (${row.cpuMbPerS.toFixed(0)} MB/s per CPU-second)`);
    formats.push(row);
  }
  // References over the same kind of bytes.
  const jsonLines = scaled('waf', target);
  const refs: FormatBenchResult['references'] = [];
  const jp = timeBest(opts.runs, () => {
    let n = 0;
    for (const buf of jsonLines) for (const line of buf.toString('utf8').split('\n')) if (line !== '') n += Object.keys(JSON.parse(line) as object).length;
    return n;
  });
  refs.push({ name: 'JSON.parse of each line (WAF fixture, scaled)', bytes: total(jsonLines), mbPerS: total(jsonLines) / 1e6 / (jp.wallMs / 1000) });
  const alb = scaled('alb', target);
  const sp = timeBest(opts.runs, () => {
    let n = 0;
    for (const buf of alb) n += buf.toString('utf8').split('\n').length;
    return n;
  });
  refs.push({ name: 'decode and split into lines (ALB fixture, scaled)', bytes: total(alb), mbPerS: total(alb) / 1e6 / (sp.wallMs / 1000) });
  // The parsers decode as ingest does (decodeText: ASCII is read as Latin-1, the same text).
  const dt = timeBest(opts.runs, () => {
    let n = 0;
    for (const buf of alb) n += decodeText(buf).split('\n').length;
    return n;
  });
  refs.push({ name: 'decodeText and split into lines (ALB fixture, scaled)', bytes: total(alb), mbPerS: total(alb) / 1e6 / (dt.wallMs / 1000) });
  for (const r of refs) opts.log(`formats: reference ${r.name}: ${r.mbPerS.toFixed(0)} MB/s`);
  if (sink === 42) opts.log('');
  return { mb: opts.mb, runs: opts.runs, loadavgBefore, loadavgAfter: os.loadavg(), formats, references: refs };
}

export function formatRows(r: FormatBenchResult): Row[] {
  const load = `load ${r.loadavgBefore.map((l) => l.toFixed(1)).join(' ')}`;
  return [
    ...r.formats.map((f) => ({
      measure: `Parser ${f.format}, ${(f.bytes / 1e6).toFixed(0)} MB, one thread`,
      bar: '≥ 100 MB/s per core',
      measured: `${f.mbPerS.toFixed(0)} MB/s (${f.events.toLocaleString('en-US')} events; ${load})`,
      ok: f.mbPerS >= 100,
    })),
    ...r.references.map((x) => ({ measure: `Reference: ${x.name}`, bar: '', measured: `${x.mbPerS.toFixed(0)} MB/s`, ok: undefined })),
  ];
}
