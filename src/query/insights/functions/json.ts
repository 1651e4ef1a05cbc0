/**
 * JSON functions (AWS's "JSON functions" table). A map or list is held as the minified JSON text of
 * the object or array, typed `dynamic` (types.ts); text that is not a JSON object or array parses to
 * null ("an empty value").
 */
import { asString } from './coerce.js';
import { bool, dyn, family, num, str, val } from './define.js';
import type { CompiledArg } from './types.js';

/** The argument as JSON, or null when it is not valid JSON. */
const json = (args: readonly CompiledArg[], i: number): string => `TRY_CAST(${asString(val(args, i)).sql} AS JSON)`;

/** The minified text of a JSON object or array, else null. */
function structure(args: readonly CompiledArg[]): string {
  const j = json(args, 0);
  return `(CASE WHEN json_type(${j}) IN ('OBJECT', 'ARRAY') THEN CAST(json(${j}) AS VARCHAR) END)`;
}

export const JSON_FUNCTIONS = family('json', {
  jsonParse: {
    args: ['string'],
    doc: 'jsonParse(str): the map or list the JSON text of an object or array holds; empty otherwise.',
    compile: (args) => dyn(structure(args)),
  },
  jsonStringify: {
    args: ['any'],
    doc: 'jsonStringify(mapOrList): the JSON text of a map or list.',
    compile: (args) => str(structure(args)),
  },
  jsonArraySize: {
    args: ['any'],
    doc: 'jsonArraySize(field): the number of elements of a JSON array; null when the value is not one.',
    compile: (args) => {
      const j = json(args, 0);
      return num(`(CASE WHEN json_type(${j}) = 'ARRAY' THEN json_array_length(${j}) END)`);
    },
  },
  jsonArrayContains: {
    args: ['any', 'string'],
    doc: 'jsonArrayContains(field, value): true if the JSON array has an element equal to value (case-sensitive); false for anything that is not an array.',
    compile: (args) => {
      const j = json(args, 0);
      // Elements compare as text: a string without its quotes, a number or literal as written.
      return bool(`coalesce(json_type(${j}) = 'ARRAY' AND list_contains(json_extract_string(${j}, '$[*]'), ${asString(val(args, 1)).sql}), false)`);
    },
  },
});
