/**
 * Numeric functions (AWS's "Numeric operators" table, less the conversions, which are in
 * conversion.ts). Arguments are read as numbers (coerce.ts's asNumber: text that is not a number is
 * null); a null argument gives null. Where Java would give NaN or an infinity (the square root of a
 * negative number, the logarithm of zero) the result is null: DuckDB raises an error there instead.
 */
import { asNumber } from './coerce.js';
import { family, num, val } from './define.js';
import type { CompiledArg } from './types.js';

const n = (args: readonly CompiledArg[], i: number): string => asNumber(val(args, i)).sql;
const unary = (fn: string) => (args: CompiledArg[]) => num(`${fn}(${n(args, 0)})`);

/** Mean radius of the Earth in km (IUGG), the usual constant for the haversine distance. */
const EARTH_RADIUS_KM = 6371;

export const NUMERIC_FUNCTIONS = family('numeric', {
  abs: { args: ['number'], doc: 'abs(a): the absolute value.', compile: unary('abs') },
  ceil: { args: ['number'], doc: 'ceil(a): the smallest integer not less than a.', compile: unary('ceil') },
  floor: { args: ['number'], doc: 'floor(a): the largest integer not greater than a.', compile: unary('floor') },
  greatest: {
    args: ['number'],
    minArgs: 1,
    maxArgs: Infinity,
    doc: 'greatest(a, ...numbers): the largest value (missing values are skipped).',
    compile: (args) => num(`greatest(${args.map((_, i) => n(args, i)).join(', ')})`),
  },
  least: {
    args: ['number'],
    minArgs: 1,
    maxArgs: Infinity,
    doc: 'least(a, ...numbers): the smallest value (missing values are skipped).',
    compile: (args) => num(`least(${args.map((_, i) => n(args, i)).join(', ')})`),
  },
  log: {
    args: ['number'],
    doc: 'log(a): the natural logarithm; null unless a > 0.',
    compile: (args) => num(`(CASE WHEN ${n(args, 0)} > 0 THEN ln(${n(args, 0)}) END)`),
  },
  round: {
    args: ['number', 'number'],
    minArgs: 1,
    doc: 'round(a[, d]): a rounded to the nearest integer, or to d decimal places (halves away from zero).',
    compile: (args) =>
      num(args.length > 1 ? `round(CAST(${n(args, 0)} AS DOUBLE), TRY_CAST(trunc(${n(args, 1)}) AS INTEGER))` : `round(${n(args, 0)})`),
  },
  sqrt: {
    args: ['number'],
    doc: 'sqrt(a): the square root; null when a is negative.',
    compile: (args) => num(`(CASE WHEN ${n(args, 0)} >= 0 THEN sqrt(${n(args, 0)}) END)`),
  },
  haversine: {
    args: ['number', 'number', 'number', 'number'],
    doc: 'haversine(lat1, lon1, lat2, lon2): the great-circle distance in km between two points given in degrees.',
    compile: (args) => {
      const [lat1, lon1, lat2, lon2] = [0, 1, 2, 3].map((i) => `radians(${n(args, i)})`) as [string, string, string, string];
      const h = `pow(sin((${lat2} - ${lat1}) / 2), 2) + cos(${lat1}) * cos(${lat2}) * pow(sin((${lon2} - ${lon1}) / 2), 2)`;
      // Rounding can push h a hair past 1 for antipodal points, where asin would raise an error
      // (a CASE, not least(): least would turn a missing coordinate into 1).
      return num(`(2 * ${EARTH_RADIUS_KM} * asin(sqrt(CASE WHEN ${h} > 1 THEN 1 ELSE ${h} END)))`);
    },
  },
});
