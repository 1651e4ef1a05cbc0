/** The result table, for the terminal and for BENCHMARKS.md. */

export interface Row {
  measure: string;
  bar: string;
  measured: string;
  /** undefined: informational, no bar. */
  ok: boolean | undefined;
}

const mark = (ok: boolean | undefined): string => (ok === undefined ? '' : ok ? 'yes' : 'NO');

export function textTable(rows: readonly Row[]): string {
  const header: Row = { measure: 'measure', bar: 'bar', measured: 'measured', ok: undefined };
  const cells = [header, ...rows].map((r, i) => [r.measure, r.bar, r.measured, i === 0 ? 'ok' : mark(r.ok)]);
  const widths = [0, 1, 2, 3].map((c) => Math.max(...cells.map((row) => (row[c] as string).length)));
  const line = (row: string[]): string => row.map((cell, c) => cell.padEnd(widths[c] as number)).join(' | ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('-+-');
  return [line(cells[0] as string[]), rule, ...cells.slice(1).map(line)].join('\n');
}

export function markdownTable(rows: readonly Row[]): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  return [
    '| measure | bar | measured | ok |',
    '|---|---|---|---|',
    ...rows.map((r) => `| ${esc(r.measure)} | ${esc(r.bar)} | ${esc(r.measured)} | ${mark(r.ok)} |`),
  ].join('\n');
}
