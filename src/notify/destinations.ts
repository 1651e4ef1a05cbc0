/**
 * Where notifications may be sent. By default only to public addresses: a webhook on loopback, a private
 * network (RFC 1918, fc00::/7), link-local (cloud metadata at 169.254.169.254) or an unspecified address
 * would let whoever can subscribe make the server call inside its own network. `--allow-private-destinations`
 * lifts that (a server and its receivers on one private network, and the tests).
 *
 * Checked twice: when subscribing (an address written in the URL) and before every delivery, on every
 * address the name resolves to then (a name may point anywhere later).
 */
import { BlockList, isIP } from 'node:net';
import { lookup } from 'node:dns/promises';

const PRIVATE = new BlockList();
for (const [net, bits] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 3]] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv4');
}
// IPv4-mapped IPv6 addresses (::ffff:127.0.0.1) are checked against the IPv4 rules by BlockList itself; a
// ::ffff:0:0/96 rule would also catch every IPv4 address.
for (const [net, bits] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) PRIVATE.addSubnet(net, bits, 'ipv6');

export class DestinationError extends Error {
  override readonly name = 'DestinationError';
}

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** The URL, checked for form (http or https, a host) and, when it is an address, for where it points. */
export function checkWebhookUrl(text: string, allowPrivate: boolean): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch (e) {
    throw new DestinationError(`'${text}' is not a URL`, { cause: e });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new DestinationError(`'${text}' is not an http or https URL`);
  if (url.username !== '' || url.password !== '') throw new DestinationError('a webhook URL must not hold credentials: use a secret');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && (host === 'localhost' || isPrivateAddress(host))) {
    throw new DestinationError(`${host} is a loopback or private address: start the server with --allow-private-destinations to send there`);
  }
  return url;
}

/** Resolves the URL's host and refuses it when any of its addresses is private (unless allowed). */
export async function checkDelivery(url: URL, allowPrivate: boolean): Promise<void> {
  if (allowPrivate) return;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) !== 0 ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
  const bad = addresses.find(isPrivateAddress);
  if (bad !== undefined) throw new DestinationError(`${url.hostname} resolves to ${bad}, a loopback or private address`);
}
