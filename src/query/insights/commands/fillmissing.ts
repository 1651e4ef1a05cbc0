/**
 * `fillmissing [with 0 for avg_latency, ...]` after `stats ... by bin(1m)` (CWL_QuerySyntax-Fillmissing):
 * a row for every bin without data, with the constants given in the named fields and no value in the
 * others. AWS does not say which bins are "empty"; as Splunk's makecontinuous, they are the bins
 * between the first and the last bin of the rows (none is invented before the first event or after the
 * last), and, when the stats had other group keys (`by bin(1m), host`), every such bin for each
 * combination of those keys. The rows are then in the stats' order: bin, then the other keys (a `sort`
 * before fillmissing is not kept; sort after it). At most MAX_BINS bins are made from the first one.
 */
import type { FillmissingCommand } from '../ast.js';
import type { CompileState } from '../compile/state.js';
import { periodMonths, periodMs } from '../functions/coerce.js';
import { orderTerms } from './sort.js';

export const MAX_BINS = 100_000;
const CAP_LIMIT_MS = 1e13; // about 317 years

export function compileFillmissing(state: CompileState, cmd: FillmissingCommand): void {
  const bin = state.timeBin;
  const binField = bin ? state.defined.get(bin.name) : undefined;
  if (!bin || !binField || binField.type !== 'timestamp' || state.eventRows) {
    state.error("fillmissing inserts the empty time bins of 'stats ... by bin(<period>)': it follows such a stats", cmd.span);
  }
  const keys = bin.keys.filter((k) => state.defined.has(k)).map((k) => ({ name: k, column: state.defined.get(k)!.column, type: state.defined.get(k)!.type }));
  const fills = cmd.fills.map((f) => {
    const d = state.defined.get(f.field.name);
    if (!d) state.error(`fillmissing fills the fields of the stats before it: '${f.field.name}' is not one`, f.field.span);
    if (f.field.name === bin.name || keys.some((k) => k.name === f.field.name)) state.error(`'${f.field.name}' is a group key of the stats: each inserted row has its own value`, f.field.span);
    let value: string;
    if (d.type === 'number') {
      if (f.value.kind !== 'number') state.error(`expected a number for '${f.field.name}', a numeric field`, f.value.span);
      value = `CAST(${state.param(f.value.value)} AS DOUBLE)`;
    } else if (d.type === 'string' || d.type === 'dynamic') {
      value = `CAST(${state.param(f.value.kind === 'number' ? f.value.text : f.value.value)} AS VARCHAR)`;
    } else state.error(`fillmissing fills number and text fields: '${f.field.name}' holds ${d.type === 'timestamp' ? 'timestamps' : 'booleans'}`, f.field.span);
    return `${value} AS ${d.column}`;
  });

  const before = state.current;
  const months = periodMonths(bin.period);
  // Integers we computed from the period the parser read, written as literals.
  const step = months === null ? `to_milliseconds(${periodMs(bin.period)})` : `to_months(${months})`;
  // The cap only where MAX_BINS bins could span less than the data: longer spans are out of an interval's
  // range, and so many bins of such a period would reach past any event's time.
  const capMs = periodMs(bin.period) * (MAX_BINS - 1);
  const last = months === null && capMs < CAP_LIMIT_MS ? `least(max(${binField.column}), min(${binField.column}) + to_milliseconds(${capMs}))` : `max(${binField.column})`;
  const series = `(SELECT unnest(generate_series(min(${binField.column}), ${last}, ${step})) AS __fm FROM ${before}) __bins`;
  const combos = keys.length > 0 ? ` CROSS JOIN (SELECT DISTINCT ${keys.map((k) => k.column).join(', ')} FROM ${before}) __keys` : '';
  const missing = [`__e.${binField.column} = __bins.__fm`, ...keys.map((k) => `__e.${k.column} IS NOT DISTINCT FROM __keys.${k.column}`)].join(' AND ');
  const cols = [`__bins.__fm AS ${binField.column}`, ...keys.map((k) => `__keys.${k.column}`), ...fills];
  if (state.matchedInColumn) cols.push(`(SELECT max(__matched) FROM ${before}) AS __matched`);
  state.addStage('*', `UNION ALL BY NAME SELECT ${cols.join(', ')} FROM ${series}${combos} WHERE NOT EXISTS (SELECT 1 FROM ${before} __e WHERE ${missing})`);
  state.order = [`${binField.column} ASC`, ...keys.flatMap((k) => orderTerms({ sql: k.column, type: k.type }, k.column, false))];
  state.sortedByTime = null;
}
