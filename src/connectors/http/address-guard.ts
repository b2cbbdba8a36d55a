// Server URLs are fetched on a dealer's behalf: refuse loopback, private, link-local and metadata addresses, at save and at every connection.
import dns from 'node:dns';
import net from 'node:net';
import { buildConnector } from 'undici';
import { isPublicAddress } from './address-rule.ts';

export { isPublicAddress } from './address-rule.ts';

export class RefusedUpstream extends Error {}

/**
 * Checks a server URL as a dealer gave it: https (http only when private upstreams are allowed), no
 * user info, and a host that resolves to public addresses only (unless allowed). A host that does not
 * resolve is accepted here and refused at connect time if it ever points inside.
 */
export async function checkUpstreamUrl(raw: string, allowPrivate: boolean, field = 'url'): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RefusedUpstream(`${field} must be an absolute URL such as https://papi.printtrackerpro.com`);
  }
  if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:')) {
    throw new RefusedUpstream(`${field} must use https`);
  }
  if (url.username || url.password) throw new RefusedUpstream(`${field} must not contain credentials; use username and password`);
  if (allowPrivate) return url;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = net.isIP(host) ? [host] : await resolveAll(host);
  const refused = addresses.find((a) => !isPublicAddress(a));
  if (refused !== undefined) {
    throw new RefusedUpstream(`${field} resolves to ${refused}, a loopback, private, link-local or metadata address, which Canopy does not fetch`);
  }
  return url;
}

/** The host's addresses; none when it does not resolve (yet): every connection is checked again when it is made. */
async function resolveAll(host: string): Promise<string[]> {
  try {
    return (await dns.promises.lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  } catch {
    return [];
  }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/**
 * A `lookup` for outgoing sockets that refuses non-public addresses at connect time, so a name that
 * resolved to a public address when the server was saved cannot later be pointed inside the network.
 */
export function guardedLookup(hostname: string, options: dns.LookupOptions, callback: LookupCallback): void {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const list = addresses as dns.LookupAddress[];
    const refused = list.find((a) => !isPublicAddress(a.address));
    if (refused) {
      return callback(refusal(`${hostname} resolves to ${refused.address}, which Canopy does not fetch`), []);
    }
    if (options.all) return callback(null, list);
    callback(null, list[0].address, list[0].family);
  });
}

const refusal = (message: string) => Object.assign(new RefusedUpstream(message), { code: 'EREFUSEDADDRESS' });

/**
 * Why a connection may not be made under the rule in force now (null: it may): plain http, or an address
 * literal that is not public, unless private upstreams are allowed. Names are resolved by guardedLookup.
 */
export function connectionRefusal(protocol: string, hostname: string, allowPrivate: boolean): string | null {
  if (allowPrivate) return null;
  if (protocol !== 'https:') return `${protocol.replace(/:$/, '')}://${hostname} is not https, which Canopy requires of upstream servers`;
  const host = hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(host.replace(/%.*$/, '')) !== 0 && !isPublicAddress(host)) {
    return `${host} is a loopback, private, link-local or metadata address, which Canopy does not fetch`;
  }
  return null;
}

/**
 * An undici connector that applies the rule to every connection it opens: the scheme, an address literal,
 * and (through guardedLookup) every address a name resolves to. A server saved while private upstreams were
 * allowed is refused here once they are not.
 */
export function guardedConnector(options: { timeoutMs: number; allowPrivate: boolean }): buildConnector.connector {
  const base = buildConnector({ timeout: options.timeoutMs, ...(options.allowPrivate ? {} : { lookup: guardedLookup }) });
  return (opts, callback) => {
    const refused = connectionRefusal(opts.protocol, opts.hostname, options.allowPrivate);
    if (refused !== null) {
      callback(refusal(refused), null);
      return;
    }
    return base(opts, callback);
  };
}
