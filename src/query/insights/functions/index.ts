/**
 * The Logs Insights function library: every function AWS documents for Logs Insights QL, one family
 * per file, collected into FUNCTIONS (keyed by lower-case name: names are case-insensitive).
 *
 * Contract for the compiler (see types.ts for the rest):
 * - run FUNCTION_SETUP_SQL on every DuckDB connection before it runs compiled Insights SQL (temp
 *   macros, idempotent; the IP functions call them);
 * - implement SqlContext.field: bin, earliest, latest and rate read `@timestamp` through it;
 * - set SqlContext.startMs and endMs for queryStartTime(), queryEndTime() and queryTimeRange().
 */
import { AGGREGATE_FUNCTIONS } from './aggregate.js';
import { CONVERSION_FUNCTIONS } from './conversion.js';
import { DATETIME_FUNCTIONS } from './datetime.js';
import { GENERAL_FUNCTIONS } from './general.js';
import { HASH_FUNCTIONS } from './hash.js';
import { IP_FUNCTIONS, IP_SETUP_SQL } from './ip.js';
import { JSON_FUNCTIONS } from './json.js';
import { NUMERIC_FUNCTIONS } from './numeric.js';
import { STRING_FUNCTIONS } from './string.js';
import { TIMESERIES_FUNCTIONS } from './timeseries.js';
import type { FunctionDef } from './types.js';

/**
 * The functions of AWS's Logs Insights QL reference, as spelled there: "Boolean, comparison, numeric,
 * datetime, and other functions" (numeric, datetime, general, JSON, IP address and string tables),
 * "Hashing functions", "Functions to use with stats", "Time-series functions", and `unmask(field)`
 * from the unmask page.
 */
export const DOCUMENTED_FUNCTIONS = [
  // Numeric operators
  'abs', 'ceil', 'floor', 'greatest', 'least', 'log', 'round', 'sqrt', 'haversine',
  'toNumber', 'toInt', 'toLong', 'toDouble',
  // Datetime functions
  'bin', 'datefloor', 'dateceil', 'fromMillis', 'toMillis', 'now', 'parseDate', 'formatDate', 'strftime',
  // General functions
  'ispresent', 'coalesce', 'case', 'if', 'isNumeric', 'messageSize', 'queryStartTime', 'queryEndTime', 'queryTimeRange',
  // The unmask page's call form: `fields @timestamp, unmask(@message)`
  'unmask',
  // JSON functions
  'jsonParse', 'jsonStringify', 'jsonArraySize', 'jsonArrayContains',
  // IP address string functions
  'isValidIp', 'isValidIpV4', 'isValidIpV6', 'isIpInSubnet', 'isIpv4InSubnet', 'isIpv6InSubnet',
  'ipv4ToNumber', 'isPrivateIP', 'isPublicIP', 'isReservedIP',
  // String functions
  'isempty', 'isblank', 'concat', 'ltrim', 'rtrim', 'trim', 'strlen', 'toupper', 'tolower', 'substr',
  'replace', 'regexReplace', 'strcontains', 'startsWith', 'endsWith', 'urlencode', 'urldecode',
  'base64encode', 'base64decode', 'split', 'hexToAscii', 'hexToDec', 'decToHex',
  // Hashing functions
  'md5', 'sha256',
  // Stats aggregation and non-aggregation functions
  'avg', 'count', 'count_distinct', 'max', 'min', 'pct', 'stddev', 'sum',
  'earliest', 'latest', 'sortsFirst', 'sortsLast',
  // Time-series functions (the page spells the middle two both ways in its versions)
  'rate', 'count_over_time', 'sum_over_time', 'countOverTime', 'sumOverTime', 'histogram',
] as const;

export type FunctionName = (typeof DOCUMENTED_FUNCTIONS)[number];

/** By family; a documented name without a definition fails to compile here. */
export const FAMILIES = {
  string: STRING_FUNCTIONS,
  numeric: NUMERIC_FUNCTIONS,
  conversion: CONVERSION_FUNCTIONS,
  datetime: DATETIME_FUNCTIONS,
  general: GENERAL_FUNCTIONS,
  json: JSON_FUNCTIONS,
  ip: IP_FUNCTIONS,
  hash: HASH_FUNCTIONS,
  aggregate: AGGREGATE_FUNCTIONS,
  timeseries: TIMESERIES_FUNCTIONS,
} as const;

const REGISTRY: Record<FunctionName, FunctionDef> = {
  ...STRING_FUNCTIONS,
  ...NUMERIC_FUNCTIONS,
  ...CONVERSION_FUNCTIONS,
  ...DATETIME_FUNCTIONS,
  ...GENERAL_FUNCTIONS,
  ...JSON_FUNCTIONS,
  ...IP_FUNCTIONS,
  ...HASH_FUNCTIONS,
  ...AGGREGATE_FUNCTIONS,
  ...TIMESERIES_FUNCTIONS,
};

export const FUNCTIONS: ReadonlyMap<string, FunctionDef> = new Map(Object.values(REGISTRY).map((d) => [d.name.toLowerCase(), d]));

/** The function a call names, whatever its case (`ISPRESENT`, `isPresent`). */
export function lookupFunction(name: string): FunctionDef | undefined {
  return FUNCTIONS.get(name.toLowerCase());
}

/** SQL to run once on each connection before compiled Insights SQL (idempotent). */
export const FUNCTION_SETUP_SQL: readonly string[] = [...IP_SETUP_SQL];

const MACROS = new RegExp(`\\b(${FUNCTION_SETUP_SQL.map((s) => /MACRO (\w+)/.exec(s)?.[1]).filter(Boolean).join('|')})\\(`);

/** The setup SQL that `sql` needs: none unless it calls one of the macros (creating them costs ~40 ms). */
export function setupSqlFor(sql: string): readonly string[] {
  return MACROS.test(sql) ? FUNCTION_SETUP_SQL : [];
}
