import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DOCUMENTED_FUNCTIONS, FAMILIES, FUNCTIONS, FUNCTION_SETUP_SQL, lookupFunction } from './index.js';
import { Harness, FakeContext, col, lit, period, type Table, type TestArg } from './testing.js';
import type { ArgKind } from './types.js';

let h: Harness;
before(async () => {
  h = await Harness.open();
});
after(() => h.close());

/**
 * Every function AWS's Logs Insights QL reference lists, read off the pages themselves (numeric,
 * datetime, general, JSON, IP address and string tables; hashing; stats aggregation and
 * non-aggregation; time-series; and unmask(@message) from the unmask page). Kept apart from DOCUMENTED_FUNCTIONS so that dropping a name there
 * fails here.
 */
const AWS_REFERENCE = `
  abs ceil floor greatest least log round sqrt haversine toNumber toInt toLong toDouble
  bin datefloor dateceil fromMillis toMillis now parseDate formatDate strftime
  ispresent coalesce case if isNumeric messageSize queryStartTime queryEndTime queryTimeRange unmask
  jsonParse jsonStringify jsonArraySize jsonArrayContains
  isValidIp isValidIpV4 isValidIpV6 isIpInSubnet isIpv4InSubnet isIpv6InSubnet ipv4ToNumber isPrivateIP isPublicIP isReservedIP
  isempty isblank concat ltrim rtrim trim strlen toupper tolower substr replace regexReplace strcontains
  startsWith endsWith urlencode urldecode base64encode base64decode split hexToAscii hexToDec decToHex
  md5 sha256
  avg count count_distinct max min pct stddev sum earliest latest sortsFirst sortsLast
  rate count_over_time sum_over_time countOverTime sumOverTime histogram
`
  .trim()
  .split(/\s+/);

const STATS_ONLY = ['avg', 'count', 'count_distinct', 'max', 'min', 'pct', 'stddev', 'sum', 'earliest', 'latest', 'sortsFirst', 'sortsLast', 'rate', 'count_over_time', 'sum_over_time', 'countOverTime', 'sumOverTime', 'histogram'];

describe('the registry', () => {
  it('has every function of the AWS reference, and no other', () => {
    assert.deepEqual([...DOCUMENTED_FUNCTIONS].sort(), [...AWS_REFERENCE].sort());
    assert.deepEqual([...FUNCTIONS.values()].map((d) => d.name).sort(), [...AWS_REFERENCE].sort());
    assert.equal(FUNCTIONS.size, AWS_REFERENCE.length);
  });

  it('keys by lower-case name and looks names up in any case', () => {
    for (const [key, def] of FUNCTIONS) assert.equal(key, def.name.toLowerCase());
    assert.equal(lookupFunction('ISVALIDIPV4')?.name, 'isValidIpV4');
    assert.equal(lookupFunction('count_DISTINCT')?.name, 'count_distinct');
    assert.equal(lookupFunction('isPresent')?.name, 'ispresent');
    assert.equal(lookupFunction('nosuch'), undefined);
  });

  it('puts each function in exactly one family, named after it', () => {
    const all = Object.entries(FAMILIES).flatMap(([fam, defs]) => Object.values(defs).map((d) => [fam, d.family, d.name] as const));
    assert.equal(all.length, FUNCTIONS.size);
    for (const [fam, family] of all) assert.equal(family, fam);
  });

  it('declares consistent arities and kinds', () => {
    for (const def of FUNCTIONS.values()) {
      assert.ok(def.minArgs <= def.maxArgs, def.name);
      // One kind per position, or fewer when the last one repeats (variadic functions, case).
      assert.ok(def.args.length <= def.maxArgs, `${def.name}: no kind beyond the last position`);
      assert.ok(def.maxArgs === 0 || def.args.length >= 1, `${def.name}: kinds for its arguments`);
      assert.match(def.doc, new RegExp(`^${def.name}\\(`), `${def.name}: the doc starts with the call`);
    }
  });

  it('marks exactly the stats functions as aggregates, and only count and count_over_time (both spellings) take *', () => {
    assert.deepEqual([...FUNCTIONS.values()].filter((d) => d.aggregate).map((d) => d.name).sort(), [...STATS_ONLY].sort());
    assert.deepEqual([...FUNCTIONS.values()].filter((d) => d.acceptsStar).map((d) => d.name).sort(), ['count', 'countOverTime', 'count_over_time']);
  });
});

describe('FUNCTION_SETUP_SQL', () => {
  it('can run again on the same connection', async () => {
    for (const sql of FUNCTION_SETUP_SQL) await h.all(sql);
    assert.deepEqual(await h.all(`SELECT lw_ip4_num('1.2.3.4') AS n`), [{ n: 16909060 }]);
  });
});

describe('every function', () => {
  /** A table with a column of each type, two events, and an argument for each kind. */
  const t: Table = {
    types: ['dynamic', 'number', 'timestamp', 'string'],
    rows: [
      ['192.0.2.1', 3, Date.UTC(2024, 0, 1), '["a"]'],
      [null, null, null, null],
    ],
    ts: [Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 2)],
  };
  const example: Record<ArgKind, TestArg> = {
    any: col(0),
    number: col(1),
    string: col(3),
    timestamp: col(2),
    period: period('1h'),
    regex: { regex: 'a' },
    list: col(0),
  };
  const literals: Partial<Record<string, TestArg[]>> = {
    pct: [col(1), lit(50)],
    histogram: [col(1), lit(2)],
    parseDate: [col(3), lit('yyyy'), lit('UTC')],
    formatDate: [col(2), lit('%Y'), lit('UTC')],
    strftime: [col(2), lit('%Y'), lit('UTC')],
  };

  it('compiles with its fewest and most arguments and runs in DuckDB', async () => {
    for (const def of FUNCTIONS.values()) {
      const counts = new Set([def.minArgs, def.maxArgs === Infinity ? def.minArgs + 2 : def.maxArgs]);
      for (const n of counts) {
        const args = literals[def.name]?.slice(0, n) ?? Array.from({ length: n }, (_, i) => example[def.args[Math.min(i, def.args.length - 1)]!]);
        const run = def.aggregate ? h.agg(def.name, args, t) : h.rows(def.name, args, t, new FakeContext());
        const out = await run.catch((e: unknown) => assert.fail(`${def.name} with ${n} arguments: ${String(e)}`));
        assert.equal(out.length, def.aggregate ? 1 : 2, def.name);
      }
    }
  });
});
