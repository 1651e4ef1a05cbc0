/**
 * String functions (the "String functions" table of AWS's functions page). Every argument is read as
 * text (coerce.ts's asString); a missing field (null) gives null except where AWS defines otherwise
 * (isempty and isblank are 1 for a missing field). Indexes count Unicode code points from 0.
 * Predicates AWS documents as returning a number (isempty, strcontains...) return 1 or 0.
 */
import { asBoolean, asNumber, asString } from './coerce.js';
import { arg, dyn, family, num, str, val } from './define.js';
import type { CompiledArg, SqlValue } from './types.js';

/** White space as the trims and isblank see it: ASCII white space and every Unicode separator. */
const WS = String.raw`[\s\v\p{Z}]`;

const s = (args: readonly CompiledArg[], i: number): string => asString(val(args, i)).sql;
const int = (boolSql: string): SqlValue => num(`CAST(${boolSql} AS INTEGER)`);
/** A number argument as a whole BIGINT (floored), or null when it is not a number. */
const whole = (args: readonly CompiledArg[], i: number): string => `TRY_CAST(floor(${asNumber(val(args, i)).sql}) AS BIGINT)`;

/** Negative numbers as 0 (null stays null, which greatest() would not keep). */
const nonNegative = (x: string): string => `(CASE WHEN ${x} < 0 THEN 0 ELSE ${x} END)`;

/** Whether a value is missing or empty: for text, also the empty string. */
function missingOr(v: SqlValue, textTest: (sql: string) => string): string {
  return v.type === 'string' || v.type === 'dynamic' ? `(${v.sql} IS NULL OR ${textTest(v.sql)})` : `(${v.sql} IS NULL)`;
}

/** strcontains' third argument: `true`/`false` as written (the grammar reads them as field names), or any truth value. */
function caseInsensitive(a: CompiledArg): string {
  const e = a.expr;
  if (e.kind === 'field' && !e.quoted && /^(true|false)$/i.test(e.name)) return e.name.toLowerCase();
  return `coalesce(${asBoolean(a.value).sql}, false)`;
}

export const STRING_FUNCTIONS = family('string', {
  isempty: {
    args: ['any'],
    doc: 'isempty(field): 1 if the field is missing or an empty string, else 0.',
    compile: (args) => int(missingOr(val(args, 0), (x) => `${x} = ''`)),
  },
  isblank: {
    args: ['any'],
    doc: 'isblank(field): 1 if the field is missing, empty, or only white space, else 0.',
    compile: (args) => int(missingOr(val(args, 0), (x) => `regexp_full_match(${x}, '${WS}*')`)),
  },
  concat: {
    args: ['any'],
    minArgs: 1,
    maxArgs: Infinity,
    doc: 'concat(str, ...strs): the strings joined; a missing field adds nothing.',
    compile: (args) => str(`concat(${args.map((_, i) => s(args, i)).join(', ')})`),
  },
  ltrim: {
    args: ['string', 'string'],
    minArgs: 1,
    doc: 'ltrim(str[, trimChars]): without trimChars, white space removed from the left; with it, those characters.',
    compile: (args) => str(args.length > 1 ? `ltrim(${s(args, 0)}, ${s(args, 1)})` : `regexp_replace(${s(args, 0)}, '^${WS}+', '')`),
  },
  rtrim: {
    args: ['string', 'string'],
    minArgs: 1,
    doc: 'rtrim(str[, trimChars]): without trimChars, white space removed from the right; with it, those characters.',
    compile: (args) => str(args.length > 1 ? `rtrim(${s(args, 0)}, ${s(args, 1)})` : `regexp_replace(${s(args, 0)}, '${WS}+$', '')`),
  },
  trim: {
    args: ['string', 'string'],
    minArgs: 1,
    doc: 'trim(str[, trimChars]): without trimChars, white space removed from both ends; with it, those characters.',
    compile: (args) =>
      str(args.length > 1 ? `trim(${s(args, 0)}, ${s(args, 1)})` : `regexp_replace(${s(args, 0)}, '^${WS}+|${WS}+$', '', 'g')`),
  },
  strlen: {
    args: ['string'],
    doc: 'strlen(str): the length in Unicode code points.',
    compile: (args) => num(`length(${s(args, 0)})`),
  },
  toupper: {
    args: ['string'],
    doc: 'toupper(str): the string in upper case.',
    compile: (args) => str(`upper(${s(args, 0)})`),
  },
  tolower: {
    args: ['string'],
    doc: 'tolower(str): the string in lower case.',
    compile: (args) => str(`lower(${s(args, 0)})`),
  },
  substr: {
    args: ['string', 'number', 'number'],
    minArgs: 2,
    doc: 'substr(str, start[, length]): from index start (0-based), to the end or for length code points.',
    compile: (args) => {
      // A negative start counts from 0, not from the end (DuckDB's substring would count from the end).
      const from = `${nonNegative(whole(args, 1))} + 1`;
      return str(args.length > 2 ? `substring(${s(args, 0)}, ${from}, ${nonNegative(whole(args, 2))})` : `substring(${s(args, 0)}, ${from})`);
    },
  },
  replace: {
    args: ['string', 'string', 'string'],
    doc: 'replace(str, searchValue, replaceValue): every occurrence of searchValue replaced.',
    compile: (args) => str(`replace(${s(args, 0)}, ${s(args, 1)}, ${s(args, 2)})`),
  },
  regexReplace: {
    args: ['string', 'string', 'string'],
    doc: 'regexReplace(str, pattern, replacement): every match of the RE2 pattern replaced; \\1 in the replacement is a group.',
    compile: (args) => str(`regexp_replace(${s(args, 0)}, ${s(args, 1)}, ${s(args, 2)}, 'g')`),
  },
  strcontains: {
    args: ['string', 'string', 'any'],
    minArgs: 2,
    doc: 'strcontains(str, searchValue[, caseInsensitive]): 1 if str contains searchValue, else 0.',
    compile: (args) => {
      if (args.length < 3) return int(`contains(${s(args, 0)}, ${s(args, 1)})`);
      const ci = caseInsensitive(arg(args, 2));
      return int(`(CASE WHEN ${ci} THEN contains(lower(${s(args, 0)}), lower(${s(args, 1)})) ELSE contains(${s(args, 0)}, ${s(args, 1)}) END)`);
    },
  },
  startsWith: {
    args: ['string', 'string'],
    doc: 'startsWith(str, searchValue): 1 if str starts with searchValue, else 0.',
    compile: (args) => int(`starts_with(${s(args, 0)}, ${s(args, 1)})`),
  },
  endsWith: {
    args: ['string', 'string'],
    doc: 'endsWith(str, searchValue): 1 if str ends with searchValue, else 0.',
    compile: (args) => int(`ends_with(${s(args, 0)}, ${s(args, 1)})`),
  },
  urlencode: {
    args: ['string'],
    doc: 'urlencode(str): percent-encoded UTF-8 (RFC 3986: letters, digits and -._~ stay).',
    compile: (args) => str(`url_encode(${s(args, 0)})`),
  },
  urldecode: {
    args: ['string'],
    doc: 'urldecode(str): percent-escapes decoded as UTF-8 (+ stays +); null when the result is not UTF-8.',
    compile: (args) => str(`TRY(url_decode(${s(args, 0)}))`),
  },
  base64encode: {
    args: ['string'],
    doc: "base64encode(str): the string's UTF-8 bytes in Base64.",
    compile: (args) => str(`to_base64(encode(${s(args, 0)}))`),
  },
  base64decode: {
    args: ['string'],
    doc: 'base64decode(str): Base64 decoded as UTF-8 text; null when it is not valid Base64 or not UTF-8.',
    compile: (args) => str(`TRY(decode(from_base64(${s(args, 0)})))`),
  },
  split: {
    args: ['string', 'string'],
    doc: 'split(str, delimiter): the list of substrings between delimiters (as JSON text).',
    compile: (args) => dyn(`CAST(to_json(string_split(${s(args, 0)}, ${s(args, 1)})) AS VARCHAR)`),
  },
  hexToAscii: {
    args: ['string'],
    doc: 'hexToAscii(hex): the text whose bytes the hex digits spell (0x prefix allowed); null when not valid.',
    compile: (args) => {
      const digits = `regexp_extract(${s(args, 0)}, '^(?:0[xX])?((?:[0-9A-Fa-f]{2})+)$', 1)`;
      return str(`(CASE WHEN ${digits} <> '' THEN TRY(decode(unhex(${digits}))) END)`);
    },
  },
  hexToDec: {
    args: ['string'],
    doc: 'hexToDec(hex): the number the hex digits spell (optional sign and 0x prefix; up to 16 digits).',
    compile: (args) => {
      const x = s(args, 0);
      const digits = `regexp_extract(${x}, '^[+-]?(?:0[xX])?([0-9A-Fa-f]+)$', 1)`;
      const magnitude = `CAST(TRY_CAST('0x' || ${digits} AS UBIGINT) AS DOUBLE)`;
      return num(`(CASE WHEN ${digits} = '' THEN NULL WHEN starts_with(${x}, '-') THEN -${magnitude} ELSE ${magnitude} END)`);
    },
  },
  decToHex: {
    args: ['number'],
    doc: 'decToHex(n): lower-case hex with a 0x prefix (-0x when negative); non-integers are truncated.',
    compile: (args) => {
      const t = `TRY_CAST(trunc(${asNumber(val(args, 0)).sql}) AS HUGEINT)`;
      return str(`(CASE WHEN ${t} < 0 THEN '-0x' || lower(hex(-${t})) ELSE '0x' || lower(hex(${t})) END)`);
    },
  },
});
