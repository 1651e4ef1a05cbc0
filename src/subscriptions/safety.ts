/**
 * Where function and OpenSearch targets may send events. A subscription must not become a way to reach
 * internal services: loopback, link-local, private and other non-public addresses are refused unless the
 * operator allowed their range with --allow-private-destinations.
 *
 * The check runs where the connection is made (the `lookup` of the request), on every address a name
 * resolves to, so a name that resolves to a public address when the target is put and to a private one
 * later (DNS rebinding) is still refused. IP literals skip lookup in Node, so they are checked first.
 *
 * Plain http is accepted only for an address inside an allowed private range (a test or an internal
 * network the operator named); anything public must be https.
 */
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { lookup as dnsLookup } from 'node:dns';
import { Agent as HttpAgent, type ClientRequestArgs } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Duplex } from 'node:stream';

const NON_PUBLIC_V4 = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const;
// IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are checked by BlockList against the IPv4 ranges.
const NON_PUBLIC_V6 = [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96]] as const;

export class DestinationRefusedError extends Error {
  override readonly name = 'DestinationRefusedError';
}

const NON_PUBLIC = new BlockList();
for (const [a, p] of NON_PUBLIC_V4) NON_PUBLIC.addSubnet(a, p, 'ipv4');
for (const [a, p] of NON_PUBLIC_V6) NON_PUBLIC.addSubnet(a, p, 'ipv6');

/** Whether an IP address (v4, v6 or v4-mapped) is loopback, link-local, private or otherwise not public; false for a name. */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  return family !== 0 && NON_PUBLIC.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

export class AddressPolicy {
  private readonly allowed = new BlockList();
  readonly allowedCidrs: readonly string[];
  private readonly publicHttp: boolean;

  /**
   * `allow`: CIDRs (or single addresses) of non-public ranges that targets may reach anyway.
   * `publicHttp`: plain http to public addresses too (topics' webhooks, as SNS takes http endpoints).
   */
  constructor(allow: readonly string[] = [], opts: { publicHttp?: boolean } = {}) {
    this.publicHttp = opts.publicHttp ?? false;
    for (const c of allow) {
      const [addr, bits] = c.trim().split('/');
      const family = isIP(addr ?? '');
      const max = family === 6 ? 128 : 32;
      const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
      if (family === 0 || !(prefix >= 0 && prefix <= max)) throw new Error(`not an address range: '${c}' (expected a CIDR such as 127.0.0.1/32)`);
      this.allowed.addSubnet(addr!, prefix, family === 6 ? 'ipv6' : 'ipv4');
    }
    this.allowedCidrs = [...allow];
  }

  /** Throws unless `address` may be reached; `plain` for an http (not https) connection. */
  check(address: string, plain: boolean): void {
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    const allowed = this.allowed.check(address, family);
    if (allowed) return;
    if (NON_PUBLIC.check(address, family)) {
      throw new DestinationRefusedError(`destination address ${address} is loopback, link-local or private; allow it with --allow-private-destinations`);
    }
    if (plain && !this.publicHttp) throw new DestinationRefusedError(`destination address ${address} is public: use https`);
  }

  /** Checks what can be checked without resolving: the scheme, and the host when it is an IP literal. */
  checkUrl(text: string): URL {
    let url: URL;
    try {
      url = new URL(text);
    } catch (e) {
      throw new DestinationRefusedError(`not a URL: '${text}'`, { cause: e });
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new DestinationRefusedError(`destination URL must be https, not ${url.protocol}`);
    if (url.username !== '' || url.password !== '') throw new DestinationRefusedError('destination URL must not carry credentials');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) !== 0) this.check(host, url.protocol === 'http:');
    return url;
  }

  /** A `lookup` for http(s).request that refuses addresses this policy does not allow. */
  lookup(plain: boolean): LookupFunction {
    return (hostname, options, callback) => {
      dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
        if (err) return callback(err, '', 0);
        try {
          for (const a of addresses) this.check(a.address, plain);
        } catch (e) {
          return callback(e as NodeJS.ErrnoException, '', 0);
        }
        if (options.all) return (callback as unknown as (e: null, a: typeof addresses) => void)(null, addresses);
        const first = addresses[0]!;
        callback(null, first.address, first.family);
      });
    };
  }

  /**
   * The `requestHandler` of an AWS SDK client whose endpoint a caller chose (an S3-compatible store of a
   * delivery target or a source): every connection it opens is checked, a name's addresses through
   * lookup() and an address literal (which is never looked up) before connecting.
   */
  sdkRequestHandler(): { httpAgent: HttpAgent; httpsAgent: HttpsAgent } {
    return { httpAgent: new CheckedHttpAgent(this), httpsAgent: new CheckedHttpsAgent(this) };
  }
}

type ConnectCallback = (err: Error | null, stream: Duplex) => void;

/**
 * Refuses (through `callback`, as an Agent's createConnection may) a connection to an address literal the
 * policy does not allow; names go through lookup(). True when refused.
 */
function refusedLiteral(policy: AddressPolicy, host: string | null | undefined, plain: boolean, callback?: ConnectCallback): boolean {
  const h = (host ?? '').replace(/^\[|\]$/g, '');
  if (isIP(h) === 0) return false;
  try {
    policy.check(h, plain);
    return false;
  } catch (e) {
    callback?.(e as Error, undefined as unknown as Duplex);
    return true;
  }
}

class CheckedHttpAgent extends HttpAgent {
  constructor(private readonly policy: AddressPolicy) {
    super({ keepAlive: true, lookup: policy.lookup(true) });
  }

  override createConnection(options: ClientRequestArgs, callback?: ConnectCallback): Duplex | null | undefined {
    return refusedLiteral(this.policy, options.host, true, callback) ? undefined : super.createConnection(options, callback);
  }
}

class CheckedHttpsAgent extends HttpsAgent {
  constructor(private readonly policy: AddressPolicy) {
    super({ keepAlive: true, lookup: policy.lookup(false) });
  }

  override createConnection(options: ClientRequestArgs, callback?: ConnectCallback): Duplex | null | undefined {
    return refusedLiteral(this.policy, options.host, false, callback) ? undefined : super.createConnection(options, callback);
  }
}
