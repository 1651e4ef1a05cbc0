/**
 * `filldown [host cpu* ...]` (CWL_QuerySyntax-Filldown): a row without a value for the field takes the
 * last value the field had in an earlier row, in the current order (commands/window.ts); rows before
 * the field's first value stay without it. Names may hold `*` (any characters, case-sensitive), matched
 * against the fields known at this point: those shown (fields, display, stats...) and those the query
 * defined. Without names, every field shown is filled ("If omitted, all fields are filled"); system
 * fields (@timestamp, @message...) always have a value and are left alone. A pattern that matches no
 * field fills nothing, as Splunk's filldown does.
 */
import type { FieldPattern, FieldRef, FilldownCommand } from '../ast.js';
import { compileField, isSystemField } from '../compile/expr.js';
import type { CompileState } from '../compile/state.js';
import type { SqlValue } from '../functions/types.js';
import { runningWindow } from './window.js';

/** `cpu*` as an anchored regular expression. */
export function patternRegex(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

function knownFields(state: CompileState): string[] {
  const shown = state.display ?? (state.visible.length > 0 || state.eventRows ? state.visible : [...state.defined.keys()]);
  return [...new Set([...shown, ...state.defined.keys()])];
}

function targets(state: CompileState, cmd: FilldownCommand): FieldRef[] {
  const ref = (name: string, span: FieldPattern['span']): FieldRef => ({ kind: 'field', name, quoted: false, span });
  if (cmd.fields.length === 0) {
    const shown = state.display ?? (state.visible.length > 0 || state.eventRows ? state.visible : [...state.defined.keys()]);
    return shown.filter((n) => !isSystemField(n)).map((n) => ref(n, cmd.span));
  }
  const out: FieldRef[] = [];
  for (const f of cmd.fields) {
    if (f.kind === 'field') out.push(f);
    else {
      const re = patternRegex(f.pattern);
      out.push(...knownFields(state).filter((n) => re.test(n) && !isSystemField(n)).map((n) => ref(n, f.span)));
    }
  }
  return out.filter((f, i) => out.findIndex((g) => g.name === f.name) === i);
}

export function compileFilldown(state: CompileState, cmd: FilldownCommand): void {
  state.prunable = false; // a later filter would change which row is the previous one
  const fields = targets(state, cmd);
  const values = fields.map((f) => ({ name: f.name, value: compileField(state, f), json: state.defined.get(f.name)?.json === true }));
  state.define(values.map(({ name, value }): [string, SqlValue] => [name, { sql: runningWindow(state, `last_value(${value.sql} IGNORE NULLS)`), type: value.type }]));
  for (const v of values) if (v.json) state.defined.get(v.name)!.json = true;
}
