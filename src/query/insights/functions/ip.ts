/**
 * IP address functions (AWS's "IP address string functions" table), in SQL: DuckDB's inet extension
 * is not installable offline, so addresses are parsed by the macros of IP_SETUP_SQL (run on each
 * connection, see index.ts) into bit strings ('0'/'1', 32 or 128 characters) that compare by prefix.
 *
 * What counts as an address: IPv4 in dotted-quad form, each octet 0-255 without leading zeros (a
 * leading zero is octal in some parsers, so it is refused rather than guessed); IPv6 in any RFC 4291
 * text form (`::` once, an IPv4 tail), without a zone (`%eth0`) or brackets. A subnet is CIDR
 * `address/prefix`; its host bits may be set (`192.0.2.7/24` means 192.0.2.0/24). An address is only
 * in a subnet of its own family. Every predicate is false, never null, for a missing or invalid value.
 */
import { asString } from './coerce.js';
import { bool, family, num, val } from './define.js';
import type { CompiledArg } from './types.js';

const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
/** A whole IPv4 address (use anchored, or with regexp_full_match). */
export const IPV4_PATTERN = `${OCTET}(?:\\.${OCTET}){3}`;

/** A whole IPv6 address: every placement of `::`, with or without an IPv4 tail (two groups). */
export const IPV6_PATTERN = ((): string => {
  const H = '[0-9A-Fa-f]{1,4}';
  const groups = (k: number): string => (k === 0 ? '' : `${H}(?::${H}){${k - 1}}`);
  const alts = [`${groups(8)}`, `${groups(6)}:${IPV4_PATTERN}`];
  for (let head = 0; head <= 7; head++) {
    // `::` stands for at least one group: head + tail hex groups <= 7, and <= 5 before an IPv4 tail.
    const tail = 7 - head;
    alts.push(`${groups(head)}::${tail > 0 ? `(?:${H}(?::${H}){0,${tail - 1}})?` : ''}`);
    if (head <= 5) alts.push(`${groups(head)}::(?:${H}:){0,${5 - head}}${IPV4_PATTERN}`);
  }
  return `(?:${alts.join('|')})`;
})();

// ---------------------------------------------------------------------------------------------
// Special-purpose ranges (IANA's IPv4 and IPv6 special-purpose address registries)

/** RFC 1918. */
const PRIVATE_V4 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];
const RESERVED_V4 = [
  '0.0.0.0/8',
  ...PRIVATE_V4,
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.88.99.0/24',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
];
const RESERVED_V6 = [
  '::/128',
  '::1/128',
  '::ffff:0:0/96',
  '64:ff9b::/96',
  '64:ff9b:1::/48',
  '100::/64',
  '2001::/23',
  '2001:db8::/32',
  '2002::/16',
  'fc00::/7',
  'fe80::/10',
  'ff00::/8',
];

/** The bits of one of our constant addresses (never user input; the SQL macros parse that). */
function constantBits(address: string): string {
  if (address.includes(':')) {
    const [head = '', tail = ''] = address.split('::');
    const hs = head ? head.split(':') : [];
    const ts = tail ? tail.split(':') : [];
    const all = [...hs, ...Array<string>(8 - hs.length - ts.length).fill('0'), ...ts];
    return all.map((g) => parseInt(g, 16).toString(2).padStart(16, '0')).join('');
  }
  return address
    .split('.')
    .map((o) => Number(o).toString(2).padStart(8, '0'))
    .join('');
}

/** A regex matching the family-tagged bits (`4…` or `6…`) of the addresses in any of the ranges. */
function rangesPattern(v4: string[], v6: string[]): string {
  const prefix = (tag: string) => (cidr: string) => {
    const [address = '', len = ''] = cidr.split('/');
    return tag + constantBits(address).slice(0, Number(len));
  };
  return `^(?:${[...v4.map(prefix('4')), ...v6.map(prefix('6'))].join('|')})`;
}

const PRIVATE_PATTERN = rangesPattern(PRIVATE_V4, []);
const RESERVED_PATTERN = rangesPattern(RESERVED_V4, RESERVED_V6);

/**
 * The macros the IP functions call, `lw_` prefixed. Temp macros live in the connection: run these
 * on every connection before compiled Insights SQL (idempotent). Their text holds only our constants.
 */
export const IP_SETUP_SQL: string[] = [
  `CREATE OR REPLACE TEMP MACRO lw_ip4_bits(s) AS (CASE WHEN regexp_full_match(s, '${IPV4_PATTERN}') THEN array_to_string(list_transform(string_split(s, '.'), lambda o: lpad(bin(CAST(o AS INTEGER)), 8, '0')), '') END)`,
  `CREATE OR REPLACE TEMP MACRO lw_ip4_num(s) AS (CASE WHEN regexp_full_match(s, '${IPV4_PATTERN}') THEN CAST(split_part(s, '.', 1) AS BIGINT) * 16777216 + CAST(split_part(s, '.', 2) AS BIGINT) * 65536 + CAST(split_part(s, '.', 3) AS BIGINT) * 256 + CAST(split_part(s, '.', 4) AS BIGINT) END)`,
  // An IPv4 tail as the two hex groups it stands for.
  `CREATE OR REPLACE TEMP MACRO lw_ip4_hex(v) AS printf('%x:%x', CAST(split_part(v, '.', 1) AS INTEGER) * 256 + CAST(split_part(v, '.', 2) AS INTEGER), CAST(split_part(v, '.', 3) AS INTEGER) * 256 + CAST(split_part(v, '.', 4) AS INTEGER))`,
  `CREATE OR REPLACE TEMP MACRO lw_ip6_hex(s) AS (CASE WHEN contains(s, '.') THEN regexp_replace(s, '[^:]*$', '') || lw_ip4_hex(regexp_extract(s, '[^:]*$')) ELSE s END)`,
  `CREATE OR REPLACE TEMP MACRO lw_ip6_groups(h) AS (CASE WHEN h = '' THEN CAST([] AS VARCHAR[]) ELSE string_split(h, ':') END)`,
  `CREATE OR REPLACE TEMP MACRO lw_ip6_group_bits(g) AS array_to_string(list_transform(g, lambda x: lpad(bin(CAST('0x' || x AS INTEGER)), 16, '0')), '')`,
  `CREATE OR REPLACE TEMP MACRO lw_ip6_expand(x) AS (CASE WHEN contains(x, '::') THEN lw_ip6_group_bits(lw_ip6_groups(split_part(x, '::', 1))) || repeat('0', 16 * (8 - len(lw_ip6_groups(split_part(x, '::', 1))) - len(lw_ip6_groups(split_part(x, '::', 2))))) || lw_ip6_group_bits(lw_ip6_groups(split_part(x, '::', 2))) ELSE lw_ip6_group_bits(string_split(x, ':')) END)`,
  `CREATE OR REPLACE TEMP MACRO lw_ip6_bits(s) AS (CASE WHEN regexp_full_match(s, '${IPV6_PATTERN}') THEN lw_ip6_expand(lw_ip6_hex(s)) END)`,
  `CREATE OR REPLACE TEMP MACRO lw_ip_tagged_bits(s) AS coalesce('4' || lw_ip4_bits(s), '6' || lw_ip6_bits(s))`,
  // The prefix length of `address/len` when it is at most maxbits, else null.
  `CREATE OR REPLACE TEMP MACRO lw_cidr_len(c, maxbits) AS (CASE WHEN regexp_full_match(c, '[^/]+/(?:0|[1-9][0-9]{0,2})') AND TRY_CAST(regexp_extract(c, '/([0-9]+)$', 1) AS INTEGER) <= maxbits THEN TRY_CAST(regexp_extract(c, '/([0-9]+)$', 1) AS INTEGER) END)`,
  `CREATE OR REPLACE TEMP MACRO lw_cidr_net(c) AS regexp_extract(c, '^([^/]*)/', 1)`,
  `CREATE OR REPLACE TEMP MACRO lw_bits_in(ipbits, netbits, n) AS coalesce(left(ipbits, n) = left(netbits, n), false)`,
  `CREATE OR REPLACE TEMP MACRO lw_ip4_in_subnet(ip, c) AS lw_bits_in(lw_ip4_bits(ip), lw_ip4_bits(lw_cidr_net(c)), lw_cidr_len(c, 32))`,
  `CREATE OR REPLACE TEMP MACRO lw_ip6_in_subnet(ip, c) AS lw_bits_in(lw_ip6_bits(ip), lw_ip6_bits(lw_cidr_net(c)), lw_cidr_len(c, 128))`,
];

const s = (args: readonly CompiledArg[], i: number): string => asString(val(args, i)).sql;
const matches = (tagged: string, pattern: string): string => `coalesce(regexp_matches(${tagged}, '${pattern}'), false)`;

export const IP_FUNCTIONS = family('ip', {
  isValidIp: {
    args: ['string'],
    doc: 'isValidIp(field): true if the value is an IPv4 or IPv6 address.',
    compile: (args) => bool(`(lw_ip_tagged_bits(${s(args, 0)}) IS NOT NULL)`),
  },
  isValidIpV4: {
    args: ['string'],
    doc: 'isValidIpV4(field): true if the value is an IPv4 address.',
    compile: (args) => bool(`coalesce(regexp_full_match(${s(args, 0)}, '${IPV4_PATTERN}'), false)`),
  },
  isValidIpV6: {
    args: ['string'],
    doc: 'isValidIpV6(field): true if the value is an IPv6 address.',
    compile: (args) => bool(`coalesce(regexp_full_match(${s(args, 0)}, '${IPV6_PATTERN}'), false)`),
  },
  isIpInSubnet: {
    args: ['string', 'string'],
    doc: 'isIpInSubnet(field, subnet): true if the value is an IPv4 or IPv6 address in the CIDR subnet (192.0.2.0/24, 2001:db8::/32).',
    compile: (args) => bool(`(lw_ip4_in_subnet(${s(args, 0)}, ${s(args, 1)}) OR lw_ip6_in_subnet(${s(args, 0)}, ${s(args, 1)}))`),
  },
  isIpv4InSubnet: {
    args: ['string', 'string'],
    doc: 'isIpv4InSubnet(field, subnet): true if the value is an IPv4 address in the IPv4 CIDR subnet.',
    compile: (args) => bool(`lw_ip4_in_subnet(${s(args, 0)}, ${s(args, 1)})`),
  },
  isIpv6InSubnet: {
    args: ['string', 'string'],
    doc: 'isIpv6InSubnet(field, subnet): true if the value is an IPv6 address in the IPv6 CIDR subnet.',
    compile: (args) => bool(`lw_ip6_in_subnet(${s(args, 0)}, ${s(args, 1)})`),
  },
  ipv4ToNumber: {
    args: ['string'],
    doc: 'ipv4ToNumber(field): the IPv4 address as a 32-bit unsigned number; null when not an IPv4 address.',
    compile: (args) => num(`lw_ip4_num(${s(args, 0)})`),
  },
  isPrivateIP: {
    args: ['string'],
    doc: 'isPrivateIP(field): true if the value is an IPv4 address in an RFC 1918 private range.',
    compile: (args) => bool(matches(`lw_ip_tagged_bits(${s(args, 0)})`, PRIVATE_PATTERN)),
  },
  isReservedIP: {
    args: ['string'],
    doc: 'isReservedIP(field): true if the address is in a special-purpose range of the IANA registries (private, loopback, link-local, documentation, multicast...).',
    compile: (args) => bool(matches(`lw_ip_tagged_bits(${s(args, 0)})`, RESERVED_PATTERN)),
  },
  isPublicIP: {
    args: ['string'],
    doc: 'isPublicIP(field): true if the value is an IP address outside every reserved range.',
    compile: (args) => {
      const t = `lw_ip_tagged_bits(${s(args, 0)})`;
      return bool(`(${t} IS NOT NULL AND NOT ${matches(t, RESERVED_PATTERN)})`);
    },
  },
});
