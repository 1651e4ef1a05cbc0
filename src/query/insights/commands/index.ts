/**
 * The command registry: how each SQL-compiled command extends the compile state. `pattern`, `diff`,
 * `logcompare` and `anomaly` run in JavaScript over the rows before them (engine.ts), so they are not here.
 */
import type { Command } from '../ast.js';
import type { CompileState } from '../compile/state.js';
import { compileDedup } from './dedup.js';
import { compileDisplay } from './display.js';
import { compileFields } from './fields.js';
import { compileFilter } from './filter.js';
import { compileJoin } from './join.js';
import { compileJson } from './json.js';
import { compileRelevantFields } from './relevantfields.js';
import { compileFilterIndex } from './filter-index.js';
import { compileLimit } from './limit.js';
import { compileLookup } from './lookup.js';
import { compileParse } from './parse.js';
import { compileSort } from './sort.js';
import { compileStats } from './stats.js';
import { compileUnmask } from './unmask.js';
import { compileUnnest } from './unnest.js';
import { compileAddTotals } from './addtotals.js';
import { compileAccum } from './accum.js';
import { compileAutoregress } from './autoregress.js';
import { compileCountFrequent } from './count-frequent.js';
import { compileFilldown } from './filldown.js';
import { compileFillmissing } from './fillmissing.js';
import { compileSessionize } from './sessionize.js';
import { compileAppendCols } from './appendcols.js';
import { compileCidrLookup } from './cidrlookup.js';
import { compileOutlier } from './outlier.js';

export type SqlCommand = Exclude<Command, { kind: 'pattern' | 'diff' | 'anomaly' | 'logcompare' }>;
export type JsCommand = Extract<Command, { kind: 'pattern' | 'diff' | 'anomaly' | 'logcompare' }>;

export const SQL_COMMANDS: { [K in SqlCommand['kind']]: (state: CompileState, cmd: Extract<SqlCommand, { kind: K }>) => void } = {
  fields: compileFields,
  display: compileDisplay,
  filter: compileFilter,
  filterIndex: compileFilterIndex,
  stats: compileStats,
  sort: compileSort,
  limit: compileLimit,
  parse: compileParse,
  json: compileJson,
  relevantfields: compileRelevantFields,
  dedup: compileDedup,
  unmask: compileUnmask,
  unnest: compileUnnest,
  expand: (state, cmd) => compileUnnest(state, { kind: 'unnest', field: cmd.field, into: cmd.field.name, span: cmd.span }),
  addtotals: compileAddTotals,
  lookup: compileLookup,
  join: compileJoin,
  accum: compileAccum,
  autoregress: compileAutoregress,
  filldown: compileFilldown,
  fillmissing: compileFillmissing,
  countFrequent: compileCountFrequent,
  sessionize: compileSessionize,
  cidrlookup: compileCidrLookup,
  outlier: compileOutlier,
  appendcols: compileAppendCols,
};

export function compileCommand(state: CompileState, cmd: SqlCommand): void {
  (SQL_COMMANDS[cmd.kind] as (s: CompileState, c: SqlCommand) => void)(state, cmd);
}

export const isJsCommand = (c: Command): c is JsCommand => c.kind === 'pattern' || c.kind === 'diff' || c.kind === 'anomaly' || c.kind === 'logcompare';
