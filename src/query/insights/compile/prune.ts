/**
 * What an Insights `filter` requires of the text of every event it keeps, as a trigram-bitmap
 * requirement (filter-pattern/prune.ts): `@message like "x"`, `@message like /x|y/`, a discovered
 * JSON field `= "x"`, combined with `and` and `or`. The engine skips the blocks of events that cannot
 * satisfy it. Null means no requirement (the filter may keep events without any given text).
 */
import type { Expr } from '../ast.js';
import { allOf, anyOf, JSON_ESCAPABLE, jsonValueRequirement, regexRequirement, textRequirement, type BitmapRequirement } from '../../filter-pattern/prune.js';
import { isSystemField, jsonPath } from './expr.js';
import type { CompileState } from './state.js';
import { isLineField } from './line-fields.js';

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

/**
 * A name that resolves to a field discovered in the event's JSON (not defined by the query). A field
 * of a group's line format is not, even where other groups read it from JSON: no text requirement.
 */
function isJsonField(state: CompileState, name: string): boolean {
  return state.eventFields && !state.defined.has(name) && !isSystemField(name) && state.objectField(name) === null && !isLineField(state, name);
}

/**
 * A cheap SQL test implied by a filter, evaluated before it: substring tests on the raw message for
 * the JSON keys a condition needs present and the string values it compares with. Most events fail
 * it, and those are never parsed as JSON (which costs far more than the substring search). JSON text
 * can write any character as `\uXXXX`, so a message holding `\u` always passes. Each field's tests
 * apply only where the source extracts that field: where it reads a shredded column instead, they
 * would only make DuckDB read the messages. Null: no such test.
 */
export function filterPrefilter(state: CompileState, e: Expr): string | null {
  switch (e.kind) {
    case 'binary': {
      if (e.op === 'and' || e.op === 'or') {
        const l = filterPrefilter(state, e.left);
        const r = filterPrefilter(state, e.right);
        if (e.op === 'or') return l && r ? `(${l} OR ${r})` : null;
        return l && r ? `(${l} AND ${r})` : (l ?? r);
      }
      const sides = [e.left, e.right];
      const tests: string[] = [];
      for (const [i, side] of sides.entries()) {
        if (side.kind !== 'field' || !isJsonField(state, side.name)) continue;
        const own = keyTests(state, side.name);
        const other = sides[1 - i]!;
        if (e.op === '=' && other.kind === 'string') {
          const t = literalTest(state, other.value);
          if (t) own.push(t);
        }
        const t = whereExtracted(state, side.name, own);
        if (t) tests.push(t);
      }
      return tests.length > 0 ? `(${tests.join(' AND ')})` : null;
    }
    case 'call': {
      if (e.name.toLowerCase() !== 'ispresent' || e.args.length !== 1) return null;
      const a = e.args[0]!;
      if (a.kind !== 'field' || !isJsonField(state, a.name)) return null;
      return whereExtracted(state, a.name, keyTests(state, a.name));
    }
    default:
      return null;
  }
}

/** `tests` (all true), where the source extracts the field `name` from the message. */
function whereExtracted(state: CompileState, name: string, tests: string[]): string | null {
  return tests.length > 0 ? state.prefilter(jsonPath(name), tests.join(' AND ')) : null;
}

/** The message contains `text` as written, or a `\u` escape that could spell it. */
function literalTest(state: CompileState, text: string): string | null {
  if (text.length === 0 || JSON_ESCAPABLE.test(text)) return null;
  return `(contains(__msg, ${state.param(text)}) OR contains(__msg, ${state.param('\\u')}))`;
}

/** Each key of a discovered field's path appears in the message as a JSON key (`"name"`). */
function keyTests(state: CompileState, name: string): string[] {
  return name
    .split('.')
    .filter((k) => !/^\d+$/.test(k))
    .map((k) => literalTest(state, k))
    .filter((t): t is string => t !== null);
}
