/**
 * cidrlookup's ranges are parsed in JavaScript (cidrPrefix) and the events' addresses in SQL
 * (lw_ip_tagged_bits, functions/ip.ts): both must give the same bits, or a range would miss addresses.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Db } from '../../../store/db.js';
import { FUNCTION_SETUP_SQL } from '../functions/index.js';
import { cidrPrefix, ipBits } from './cidrlookup.js';

const v4 = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }).map((o) => o.join('.'));
const v6 = fc
  .tuple(fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 8 }), fc.boolean())
  .map(([groups, start, len, tail]) => {
    let units = groups.map((g) => g.toString(16));
    if (tail) units = [...units.slice(0, 6), `${groups[6]! >> 8}.${groups[6]! & 255}.${groups[7]! >> 8}.${groups[7]! & 255}`];
    if (len === 0 || start >= units.length) return units.join(':');
    const head = units.slice(0, start).join(':');
    const rest = units.slice(Math.min(units.length, start + len)).join(':');
    return `${head}::${rest}`;
  });
const junk = fc.constantFrom('', '1.2.3', '01.2.3.4', '1.2.3.256', 'fe80::1%eth0', ':::', 'x', '1::2::3', '[::1]');

test('ipBits agrees with the SQL lw_ip_tagged_bits on addresses in every form, and on junk', async () => {
  const db = await Db.open(':memory:', { memoryLimit: '256MB', threads: 1, tempDir: '/tmp' });
  try {
    for (const sql of FUNCTION_SETUP_SQL) await db.run(sql);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(v4, v6, junk), { minLength: 1, maxLength: 100 }), async (xs) => {
        const got = await db.all('SELECT lw_ip_tagged_bits(x) AS b FROM (SELECT unnest(l) AS x, generate_subscripts(l, 1) AS i FROM (SELECT from_json(CAST($1 AS JSON), \'["VARCHAR"]\') AS l)) ORDER BY i', [JSON.stringify(xs)]);
        assert.deepEqual(
          xs.map((x) => [x, ipBits(x)]),
          xs.map((x, i) => [x, (got[i]!.b as string | null) ?? null]),
        );
      }),
      { numRuns: 20 },
    );
  } finally {
    db.close();
  }
});

test('cidrPrefix: the prefix bits of a range, host bits ignored, a bare address a range of one', () => {
  assert.deepEqual(cidrPrefix('10.0.0.0/8'), { prefix: '400001010', length: 8 });
  assert.deepEqual(cidrPrefix('10.255.1.1/8'), { prefix: '400001010', length: 8 });
  assert.deepEqual(cidrPrefix('0.0.0.0/0'), { prefix: '4', length: 0 });
  assert.equal(cidrPrefix('192.0.2.1')!.length, 32);
  assert.equal(cidrPrefix('2001:db8::/32')!.prefix, `6${'0010000000000001'}${'0000110110111000'}`);
  assert.equal(cidrPrefix('::1')!.length, 128);
  for (const bad of ['10.0.0.0/33', '::/129', '10.0.0.0/08', '10.0.0/8', 'not a range', '', '10.0.0.0/']) assert.equal(cidrPrefix(bad), null, bad);
});
