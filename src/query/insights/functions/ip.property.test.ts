/**
 * The SQL IP functions against Node's own parser and matcher (net.isIPv4, net.isIPv6, BlockList) on
 * generated addresses in every text form, and on mutations of them.
 */
import assert from 'node:assert/strict';
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { Harness, col, type Table } from './testing.js';

let h: Harness;
before(async () => {
  h = await Harness.open();
});
after(() => h.close());

const hex = (n: number, pad: number, upper: boolean): string => {
  const s = n.toString(16).padStart(pad, '0');
  return upper ? s.toUpperCase() : s;
};

const v4 = fc
  .tuple(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 20 }))
  .map(([o, z]) => o.map((x, i) => (i === z % 8 && z < 4 ? `0${x}` : String(x))).join('.'));

/** IPv6 in any form: a zero run compressed or not, padding, case, an IPv4 tail. */
const v6 = fc
  .record({
    groups: fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 }),
    run: fc.tuple(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 8 })),
    pad: fc.integer({ min: 1, max: 4 }),
    upper: fc.boolean(),
    tail: fc.boolean(),
  })
  .map(({ groups, run, pad, upper, tail }) => {
    const text = groups.map((g) => hex(g, pad, upper));
    let units = tail ? [...text.slice(0, 6), `${groups[6]! >> 8}.${groups[6]! & 255}.${groups[7]! >> 8}.${groups[7]! & 255}`] : text;
    const [start, len] = run;
    if (len > 0 && start < units.length) {
      const end = Math.min(units.length, start + len);
      units = [...units.slice(0, start), '', ...units.slice(end)];
      const joined = units.join(':');
      // A run at an end needs the second colon of `::`.
      if (joined === '') return '::';
      return joined.startsWith(':') ? `:${joined}`.replace(/:::$/, '::') : joined.endsWith(':') ? `${joined}:` : joined;
    }
    return units.join(':');
  });

const mutate = (base: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc
    .tuple(base, fc.nat(), fc.constantFrom('insert', 'delete', 'replace'), fc.constantFrom(...':.0123456789abcdefABCDEFg/% '))
    .map(([s, at, op, c]) => {
      const i = s.length === 0 ? 0 : at % s.length;
      if (op === 'insert') return s.slice(0, i) + c + s.slice(i);
      if (op === 'delete') return s.slice(0, i) + s.slice(i + 1);
      return s.slice(0, i) + c + s.slice(i + 1);
    });

const anything = fc.oneof(v4, v6, mutate(v4), mutate(v6), mutate(mutate(v6)));

async function evaluate(fn: string, rows: Array<[string, string?]>): Promise<Array<string | null>> {
  const t: Table = { types: ['string', 'string'], rows: rows.map(([a, b]) => [a, b ?? null]) };
  return h.rows(fn, rows[0]?.[1] === undefined ? [col(0)] : [col(0), col(1)], t);
}

describe('IP validation agrees with node:net', () => {
  it('isValidIpV4, isValidIpV6 and isValidIp', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(anything, { minLength: 1, maxLength: 200 }), async (xs) => {
        const rows = xs.map((x): [string] => [x]);
        const [got4, got6, gotAny] = await Promise.all([evaluate('isValidIpV4', rows), evaluate('isValidIpV6', rows), evaluate('isValidIp', rows)]);
        // Node accepts a zone (%eth0) on IPv6; Logs Insights addresses have none.
        const want6 = (x: string) => isIPv6(x) && !x.includes('%');
        assert.deepEqual(
          xs.map((x, i) => [x, got4[i], got6[i], gotAny[i]]),
          xs.map((x) => [x, isIPv4(x) ? '1' : '0', want6(x) ? '1' : '0', isIPv4(x) || want6(x) ? '1' : '0']),
        );
      }),
      { numRuns: 25 },
    );
  });
});

describe('subnet membership agrees with net.BlockList', () => {
  it('isIpv4InSubnet and isIpv6InSubnet, for related and unrelated addresses', async () => {
    const family = (ip: fc.Arbitrary<string>, bits: number) =>
      fc.tuple(ip, ip, fc.integer({ min: 0, max: bits }), fc.integer({ min: 0, max: bits })).map(([a, b, prefix, keep]) => {
        // Half the time the address shares a prefix with the network, so that matches are common.
        return { ip: a, net: b, prefix, keep };
      });
    const cases = fc.tuple(fc.array(family(v4, 32), { minLength: 1, maxLength: 100 }), fc.array(family(v6.filter((x) => isIPv6(x)), 128), { minLength: 1, maxLength: 100 }));
    await fc.assert(
      fc.asyncProperty(cases, async ([c4, c6]) => {
        for (const [fn, cs, type] of [
          ['isIpv4InSubnet', c4.filter((c) => isIPv4(c.ip) && isIPv4(c.net)), 'ipv4'],
          ['isIpv6InSubnet', c6, 'ipv6'],
        ] as const) {
          if (cs.length === 0) continue;
          const rows = cs.map((c): [string, string] => [c.ip, `${c.net}/${c.prefix}`]);
          const got = await evaluate(fn, rows);
          const want = cs.map((c) => {
            const list = new BlockList();
            list.addSubnet(c.net, c.prefix, type);
            return list.check(c.ip, type) ? '1' : '0';
          });
          assert.deepEqual(
            rows.map((r, i) => [...r, got[i]]),
            rows.map((r, i) => [...r, want[i]]),
          );
        }
      }),
      { numRuns: 15 },
    );
  });

  it('an address and a network built to share exactly `prefix` bits', async () => {
    // Flip the bit right after the prefix: in for every shorter prefix, out for the full one.
    const rows: Array<[string, string, string]> = [];
    for (let prefix = 0; prefix < 32; prefix++) {
      const net = 0xc0000200 >>> 0;
      const ip = (net ^ (1 << (31 - prefix))) >>> 0;
      const dotted = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
      rows.push([dotted(ip), `${dotted(net)}/${prefix}`, '1'], [dotted(ip), `${dotted(net)}/${prefix + 1}`, '0']);
    }
    const got = await evaluate('isIpv4InSubnet', rows.map(([a, b]) => [a, b]));
    assert.deepEqual(
      rows.map((r, i) => [r[0], r[1], got[i]]),
      rows,
    );
  });
});
