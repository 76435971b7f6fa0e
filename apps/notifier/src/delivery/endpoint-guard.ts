import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * SSRF guard for push endpoints: a subscription's endpoint is a URL the notifier will POST to,
 * so it must be https and resolve only to public unicast addresses — never loopback, private,
 * link-local (cloud metadata lives at 169.254.169.254), unique-local, CGNAT or reserved ranges.
 * It is checked when the rep subscribes and again on every send through {@link guardedLookup},
 * which pins the connection to the addresses it vetted, so a DNS answer that changes between
 * the check and the connect (DNS rebinding) cannot slip through.
 * `allowInsecure` (tests and local development only) accepts http and any address.
 */

export class EndpointRefusedError extends Error {
  constructor(
    message: string,
    /** True when a later try may succeed (DNS did not answer), false when the address is forbidden. */
    readonly transient = false,
  ) {
    super(message);
    this.name = 'EndpointRefusedError';
  }
}

export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  // IPv4-mapped IPv6 (::ffff:10.0.0.1) is judged as the IPv4 address it is.
  return ipaddr.process(address).range() === 'unicast';
}

function checkAddresses(host: string, addresses: readonly string[], allowInsecure: boolean): void {
  if (addresses.length === 0) throw new EndpointRefusedError(`${host} has no address`, true);
  if (allowInsecure) return;
  const refused = addresses.find((address) => !isPublicAddress(address));
  if (refused !== undefined)
    throw new EndpointRefusedError(`${host} resolves to a non-public address (${refused})`);
}

function resolveAll(host: string): Promise<LookupAddress[]> {
  return new Promise((resolvePromise, reject) =>
    dnsLookup(host, { all: true }, (error, addresses) =>
      error
        ? reject(
            new EndpointRefusedError(`${host} cannot be resolved (${error.code ?? error.message})`, true),
          )
        : resolvePromise(addresses),
    ),
  );
}

/** The URL's host without IPv6 brackets. */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/** Checks scheme and, after DNS resolution, every address of the endpoint's host. */
export async function assertEndpointAllowed(endpoint: string, allowInsecure: boolean): Promise<void> {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new EndpointRefusedError('is not a URL');
  }
  if (url.protocol !== 'https:' && !(allowInsecure && url.protocol === 'http:'))
    throw new EndpointRefusedError('must be an https URL');
  if (url.username || url.password) throw new EndpointRefusedError('must not carry credentials');
  const host = hostOf(url);
  const addresses = isIP(host) ? [host] : (await resolveAll(host)).map((entry) => entry.address);
  checkAddresses(host, addresses, allowInsecure);
}

/**
 * A `lookup` for http(s).request that refuses non-public answers and connects only to what it
 * vetted. (Node does not call `lookup` for IP literals: those are checked by
 * {@link assertEndpointAllowed} right before the request.)
 */
export function guardedLookup(allowInsecure: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(
      hostname,
      { all: true, ...(options.family ? { family: options.family } : {}) },
      (error, addresses) => {
        if (error) {
          callback(error, '', 0);
          return;
        }
        try {
          checkAddresses(
            hostname,
            addresses.map((entry) => entry.address),
            allowInsecure,
          );
        } catch (refused) {
          callback(refused as NodeJS.ErrnoException, '', 0);
          return;
        }
        if (options.all) (callback as unknown as (e: null, all: LookupAddress[]) => void)(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      },
    );
  };
}
