import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Harness, col, column, lit, type Table } from './testing.js';

let h: Harness;
before(async () => {
  h = await Harness.open();
});
after(() => h.close());

/** Runs a predicate over [value, expected] cases and compares 1/0. */
async function check(fn: string, cases: Array<[string | null, boolean]>, extra: ReturnType<typeof lit>[] = []): Promise<void> {
  const got = await h.rows(fn, [col(0), ...extra], column('dynamic', cases.map(([v]) => v)));
  assert.deepEqual(
    cases.map(([v], i) => [v, got[i]]),
    cases.map(([v, want]) => [v, want ? '1' : '0']),
  );
}

describe('isValidIpV4', () => {
  it('accepts dotted quads of 0-255 without leading zeros', () =>
    check('isValidIpV4', [
      ['192.0.2.1', true],
      ['0.0.0.0', true],
      ['255.255.255.255', true],
      ['256.1.1.1', false],
      ['1.2.3', false],
      ['1.2.3.4.5', false],
      ['01.2.3.4', false],
      ['1.2.3.04', false],
      [' 1.2.3.4', false],
      ['1.2.3.4/32', false],
      ['', false],
      [null, false],
      ['::1', false],
      ['200', false],
    ]));
});

describe('isValidIpV6', () => {
  it('accepts the RFC 4291 text forms, without zone or brackets', () =>
    check('isValidIpV6', [
      ['::', true],
      ['::1', true],
      ['2001:db8::1', true],
      ['2001:DB8:0:0:0:0:0:1', true],
      ['1:2:3:4:5:6:7:8', true],
      ['1:2:3:4:5:6:7::', true],
      ['::2:3:4:5:6:7:8', true],
      ['1::8', true],
      ['::ffff:192.0.2.1', true],
      ['1:2:3:4:5:6:192.0.2.1', true],
      ['1:2:3:4:5::192.0.2.1', true],
      ['0001:0db8::', true],
      ['1:2:3:4:5:6:7:192.0.2.1', false],
      ['1::2::3', false],
      ['12345::', false],
      ['1:2:3:4:5:6:7:8:9', false],
      ['1:2:3:4:5:6:7', false],
      [':1::', false],
      ['1::2:', false],
      ['fe80::1%eth0', false],
      ['[::1]', false],
      ['g::', false],
      ['::ffff:01.2.3.4', false],
      ['192.0.2.1', false],
      [null, false],
    ]));
});

describe('isValidIp', () => {
  it('accepts either family', () =>
    check('isValidIp', [
      ['192.0.2.1', true],
      ['2001:db8::1', true],
      ['abc', false],
      ['', false],
      [null, false],
    ]));
});

describe('subnets', () => {
  const cases = (fn: string, rows: Array<[string | null, string | null, boolean]>) => async () => {
    const t: Table = { types: ['dynamic', 'string'], rows: rows.map(([ip, net]) => [ip, net]) };
    const got = await h.rows(fn, [col(0), col(1)], t);
    assert.deepEqual(
      rows.map(([ip, net], i) => [ip, net, got[i]]),
      rows.map(([ip, net, want]) => [ip, net, want ? '1' : '0']),
    );
  };

  it(
    'isIpv4InSubnet compares the prefix bits, whatever the host bits of the network',
    cases('isIpv4InSubnet', [
      ['192.0.2.1', '192.0.2.0/24', true],
      ['192.0.2.255', '192.0.2.0/24', true],
      ['192.0.3.1', '192.0.2.0/24', false],
      ['192.0.2.200', '192.0.2.7/24', true],
      ['10.1.2.3', '0.0.0.0/0', true],
      ['192.0.2.1', '192.0.2.1/32', true],
      ['192.0.2.2', '192.0.2.1/32', false],
      ['172.31.255.255', '172.16.0.0/12', true],
      ['172.32.0.0', '172.16.0.0/12', false],
      ['192.0.2.1', '192.0.2.0/33', false],
      ['192.0.2.1', '192.0.2.0/08', false],
      ['192.0.2.1', '192.0.2.0', false],
      ['192.0.2.1', 'abc/24', false],
      ['::1', '::/0', false],
      [null, '0.0.0.0/0', false],
      ['192.0.2.1', null, false],
    ]),
  );

  it(
    'isIpv6InSubnet handles compression, an IPv4 tail, /0 and /128',
    cases('isIpv6InSubnet', [
      ['2001:db8::1', '2001:db8::/32', true],
      ['2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', '2001:db8::/32', true],
      ['2001:db9::1', '2001:db8::/32', false],
      ['2001:DB8::1', '2001:db8::/32', true],
      ['::ffff:192.0.2.1', '::ffff:0:0/96', true],
      ['::ffff:192.0.2.1', '::ffff:192.0.2.0/120', true],
      ['::ffff:192.0.3.1', '::ffff:192.0.2.0/120', false],
      ['2001:db8:0:0:1::', '2001:db8::/64', true],
      ['2001:db8:0:1::', '2001:db8::/64', false],
      ['fe80::1', 'fe80::/10', true],
      ['febf::1', 'fe80::/10', true],
      ['fec0::1', 'fe80::/10', false],
      ['::1', '::1/128', true],
      ['::2', '::1/128', false],
      ['1:2:3:4:5:6:7:8', '::/0', true],
      ['1.2.3.4', '::/0', false],
      ['2001:db8::1', '2001:db8::/129', false],
    ]),
  );

  it(
    'isIpInSubnet takes either family, an address only matching its own',
    cases('isIpInSubnet', [
      ['192.0.2.1', '192.0.2.0/24', true],
      ['2001:db8::1', '2001:db8::/32', true],
      ['192.0.2.1', '2001:db8::/32', false],
      ['2001:db8::1', '192.0.2.0/24', false],
      ['192.0.2.1', '::/0', false],
      ['abc', '0.0.0.0/0', false],
    ]),
  );
});

describe('ipv4ToNumber', () => {
  it('gives the 32-bit value, null for anything else', async () => {
    const t = column('dynamic', [null, '1.2.3.4', '255.255.255.255', '0.0.0.0', '::1', '1.2.3.256']);
    assert.deepEqual(await h.rows('ipv4ToNumber', [col(0)], t), [null, '16909060', '4294967295', '0', null, null]);
  });
});

describe('private, reserved and public addresses', () => {
  it('isPrivateIP is the RFC 1918 ranges', () =>
    check('isPrivateIP', [
      ['10.0.0.1', true],
      ['10.255.255.255', true],
      ['172.16.5.4', true],
      ['172.32.0.1', false],
      ['192.168.1.1', true],
      ['192.169.0.1', false],
      ['8.8.8.8', false],
      ['127.0.0.1', false],
      ['fc00::1', false],
      [null, false],
    ]));
  it('isReservedIP is the special-purpose ranges of both families', () =>
    check('isReservedIP', [
      ['127.0.0.1', true],
      ['10.0.0.1', true],
      ['169.254.1.1', true],
      ['100.64.0.1', true],
      ['100.128.0.1', false],
      ['192.0.2.1', true],
      ['224.0.0.1', true],
      ['255.255.255.255', true],
      ['8.8.8.8', false],
      ['::1', true],
      ['::', true],
      ['fe80::1', true],
      ['fd12:3456::1', true],
      ['2001:db8::1', true],
      ['ff02::1', true],
      ['::ffff:8.8.8.8', true],
      ['2606:4700::1111', false],
      ['abc', false],
    ]));
  it('isPublicIP is a valid address outside them', () =>
    check('isPublicIP', [
      ['8.8.8.8', true],
      ['1.1.1.1', true],
      ['10.0.0.1', false],
      ['127.0.0.1', false],
      ['2606:4700::1111', true],
      ['fe80::1', false],
      ['abc', false],
      [null, false],
    ]));
});
