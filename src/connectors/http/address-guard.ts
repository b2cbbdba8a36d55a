// Server URLs are fetched on a dealer's behalf: refuse loopback, private, link-local and metadata addresses.
import dns from 'node:dns';
import net from 'node:net';

const blocked = new net.BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96], ['2001:db8::', 32],
  ['fd00:ec2::', 32],
] as const) blocked.addSubnet(network, prefix, 'ipv6');

/** Whether an IP address may be fetched on a dealer's behalf (public unicast only). */
export function isPublicAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return !blocked.check(address, 'ipv4');
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return isPublicAddress(mapped[1]);
    return !blocked.check(address, 'ipv6');
  }
  return false;
}

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
      const denied = Object.assign(new RefusedUpstream(`${hostname} resolves to ${refused.address}, which Canopy does not fetch`), { code: 'EREFUSEDADDRESS' });
      return callback(denied, []);
    }
    if (options.all) return callback(null, list);
    callback(null, list[0].address, list[0].family);
  });
}
