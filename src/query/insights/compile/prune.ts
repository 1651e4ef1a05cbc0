/**
 * What an Insights `filter` requires of the text of every event it keeps, as a trigram-bitmap
 * requirement (filter-pattern/prune.ts): `@message like "x"`, `@message like /x|y/`, a discovered
 * JSON field `= "x"`, combined with `and` and `or`. The engine skips the blocks of events that cannot
 * satisfy it. Null means no requirement (the filter may keep events without any given text).
 */
import type { Expr } from '../ast.js';
import { allOf, anyOf, jsonValueRequirement, regexRequirement, textRequirement, type BitmapRequirement } from '../../filter-pattern/prune.js';
import { isSystemField } from './expr.js';
import type { CompileState } from './state.js';

type Req = BitmapRequirement | null;

export function filterRequirement(state: CompileState, e: Expr): Req {
  if (e.kind !== 'binary') return null;
  switch (e.op) {
    case 'and':
      return allOf([filterRequirement(state, e.left), filterRequirement(state, e.right)]);
    case 'or':
      return anyOf([filterRequirement(state, e.left), filterRequirement(state, e.right)]);
    case 'like':
    case '=~': {
      if (!isRawMessage(state, e.left)) return null;
      if (e.right.kind === 'string') return e.op === 'like' ? textRequirement(e.right.value) : regexRequirement(e.right.value);
      if (e.right.kind === 'regex') return regexRequirement(e.right.pattern);
      return null;
    }
    case '=': {
      const [field, value] = e.left.kind === 'field' ? [e.left, e.right] : [e.right, e.left];
      if (field.kind !== 'field' || value.kind !== 'string' || !isJsonField(state, field.name)) return null;
      return jsonValueRequirement(value.value);
    }
    default:
      return null;
  }
}

function isRawMessage(state: CompileState, e: Expr): boolean {
  return e.kind === 'field' && e.name === '@message' && !state.defined.has('@message');
}

/** A name that resolves to a field discovered in the event's JSON (not defined by the query). */
function isJsonField(state: CompileState, name: string): boolean {
  return state.eventFields && !state.defined.has(name) && !isSystemField(name);
}
