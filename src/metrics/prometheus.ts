/**
 * The Prometheus text exposition (format 0.0.4) of every stored metric's latest second and of
 * Logward's own health.
 *
 * A CloudWatch metric `<Namespace>/<MetricName>` becomes the gauges `<ns>_<name>_sum`, `_count`,
 * `_min` and `_max` (the values of its newest second with data), names sanitized to
 * `[a-zA-Z_:][a-zA-Z0-9_:]*`; its dimensions become labels (names sanitized the same way, without `:`
 * and never starting `__`; values escaped). Series whose names collide after sanitizing share one family.
 */
import type { Dimensions } from './metric-store.js';

export interface Sample {
  labels: Dimensions;
  value: number;
}

export interface Family {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  samples: Sample[];
}

export function metricName(text: string): string {
  const s = text.replace(/[^a-zA-Z0-9_:]/g, '_');
  return /^[a-zA-Z_:]/.test(s) ? s : `_${s}`;
}

export function labelName(text: string): string {
  let s = text.replace(/[^a-zA-Z0-9_]/g, '_');
  if (!/^[a-zA-Z_]/.test(s)) s = `_${s}`;
  return s.startsWith('__') ? `x${s}` : s;
}

export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

const escapeHelp = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

export function render(families: readonly Family[]): string {
  const merged = new Map<string, Family>();
  for (const f of families) {
    const name = metricName(f.name);
    const m = merged.get(name);
    if (m) m.samples.push(...f.samples);
    else merged.set(name, { ...f, name, samples: [...f.samples] });
  }
  const out: string[] = [];
  for (const f of merged.values()) {
    out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    const seen = new Set<string>();
    for (const s of f.samples) {
      const used = new Set<string>();
      const labels = s.labels.map(([k, v]) => {
        let n = labelName(k);
        while (used.has(n)) n = `${n}_`;
        used.add(n);
        return `${n}="${escapeLabelValue(v)}"`;
      });
      const line = `${f.name}${labels.length > 0 ? `{${labels.join(',')}}` : ''}`;
      // Two series that sanitize to the same name and labels would make an invalid exposition: keep the first.
      if (seen.has(line)) continue;
      seen.add(line);
      out.push(`${line} ${formatValue(s.value)}`);
    }
  }
  return out.join('\n') + '\n';
}
