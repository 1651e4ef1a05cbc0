/**
 * Conversions to numbers (listed by AWS among the numeric operators: toNumber, toInt, toLong,
 * toDouble). A value that does not read as a number (coerce.ts's asNumber) converts to null; the
 * integer conversions truncate toward zero and give null outside their range (32 or 64 bits).
 */
import { asNumber } from './coerce.js';
import { family, num, val } from './define.js';
import type { CompiledArg } from './types.js';

const n = (args: readonly CompiledArg[]): string => asNumber(val(args, 0)).sql;

export const CONVERSION_FUNCTIONS = family('conversion', {
  toNumber: {
    args: ['any'],
    doc: 'toNumber(field): the value as a number; null when it is not one.',
    compile: (args) => num(`CAST(${n(args)} AS DOUBLE)`),
  },
  toInt: {
    args: ['any'],
    doc: 'toInt(field): the value as a 32-bit integer, truncated; null when not a number or out of range.',
    compile: (args) => num(`TRY_CAST(trunc(${n(args)}) AS INTEGER)`),
  },
  toLong: {
    args: ['any'],
    doc: 'toLong(field): the value as a 64-bit integer, truncated; null when not a number or out of range.',
    compile: (args) => num(`TRY_CAST(trunc(${n(args)}) AS BIGINT)`),
  },
  toDouble: {
    args: ['any'],
    doc: 'toDouble(field): the value as a double-precision number; null when it is not one.',
    compile: (args) => num(`CAST(${n(args)} AS DOUBLE)`),
  },
});
