/**
 * Where notifications may be sent. By default only to public addresses: a webhook on loopback, a private
 * network (RFC 1918, fc00::/7), link-local (cloud metadata at 169.254.169.254) or an unspecified address
 * would let whoever can subscribe make the server call inside its own network. `--allow-private-destinations`
 * lifts that (a server and its receivers on one private network, and the tests).
 *
 * Checked twice: when subscribing (an address written in the URL) and at every delivery, on every
 * address the name resolves to when the connection is made (a name may point anywhere later). The ranges
 * are those of subscription targets (subscriptions/safety.ts).
 */
import { AddressPolicy, isNonPublicAddress } from '../subscriptions/safety.js';

export class DestinationError extends Error {
  override readonly name = 'DestinationError';
}

/**
 * What deliveries may connect to: every address a webhook's name resolves to is checked when its
 * connection is made (no second lookup after a check, so DNS rebinding cannot slip in between). Plain
 * http is accepted anywhere, as SNS takes http endpoints.
 */
export function notificationAddresses(allowPrivate: boolean): AddressPolicy {
  return new AddressPolicy(allowPrivate ? ['0.0.0.0/0', '::/0'] : [], { publicHttp: true });
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
  if (!allowPrivate && (host === 'localhost' || isNonPublicAddress(host))) {
    throw new DestinationError(`${host} is a loopback or private address: start the server with --allow-private-destinations to send there`);
  }
  return url;
}
