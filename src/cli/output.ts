/**
 * Output of the client commands: aligned tables for people, JSON for programs, and progress on stderr.
 * Widths count code points, which is right for the ASCII and most Latin text of log lines; wide (CJK)
 * characters take two columns on a terminal and may overrun a truncated line by a few columns.
 */
import type { TextOut } from './context.js';

const GAP = '  ';
const ELLIPSIS = '…';

export interface TableOptions {
  /** Fit each line into this many columns by shrinking the last column; no limit when absent. */
  maxWidth?: number;
}

/** A table with a header row; every column but the last is padded, so no line ends in spaces. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[], opts: TableOptions = {}): string {
  const cells = [header, ...rows].map((row) => header.map((_, i) => printable(row[i] ?? '')));
  const widths = header.map((_, i) => Math.max(...cells.map((row) => width(row[i] ?? ''))));
  const last = header.length - 1;
  if (opts.maxWidth !== undefined && last >= 0) {
    const fixed = widths.slice(0, last).reduce((sum, w) => sum + w + GAP.length, 0);
    // The last column keeps at least its header's width, even on a terminal too narrow for the rest.
    widths[last] = Math.max(width(header[last] ?? ''), Math.min(widths[last] ?? 0, opts.maxWidth - fixed));
  }
  return cells
    .map((row) =>
      row
        .map((cell, i) => (i === last ? truncate(cell, widths[i] ?? 0) : pad(truncate(cell, widths[i] ?? 0), widths[i] ?? 0)))
        .join(GAP),
    )
    .map((line) => `${line}\n`)
    .join('');
}

/** Cuts text to at most `max` code points, marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  const points = Array.from(text);
  if (points.length <= max) return text;
  if (max <= 0) return '';
  return points.slice(0, max - 1).join('') + ELLIPSIS;
}

function width(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

function pad(text: string, to: number): string {
  return text + ' '.repeat(Math.max(0, to - width(text)));
}

/** A table cell holds one line: line breaks, tabs and other control characters are shown escaped. */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => CONTROL_ESCAPES[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
const CONTROL_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/** Bytes for people: `0 B`, `512 B`, `1.5 KiB`, `12 MiB`. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const shown = unit === 0 || value >= 10 ? Math.round(value).toString() : value.toFixed(1);
  return `${shown} ${BYTE_UNITS[unit]}`;
}

/** An epoch-milliseconds time as ISO 8601 UTC, or `-` when the API left it out. */
export function formatTime(ms: number | undefined): string {
  return ms === undefined ? '-' : new Date(ms).toISOString();
}

/** A JSON document, indented, ending in a newline. */
export function writeJson(out: TextOut, value: unknown): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** One JSON value per line (JSON Lines), for streams of events. */
export function writeJsonLine(out: TextOut, value: unknown): void {
  out.write(`${JSON.stringify(value)}\n`);
}

/**
 * A one-line counter on stderr while a long listing pages in ("42 log groups..."), drawn only when stderr
 * is a terminal so that redirected output stays clean. `done()` erases it before the result is printed.
 */
export class Progress {
  private shown = false;
  constructor(
    private readonly out: TextOut,
    private readonly noun: string,
  ) {}

  update(count: number): void {
    if (this.out.isTTY !== true) return;
    this.out.write(`\r\x1b[K${count} ${this.noun}...`);
    this.shown = true;
  }

  done(): void {
    if (this.shown) this.out.write('\r\x1b[K');
    this.shown = false;
  }
}
