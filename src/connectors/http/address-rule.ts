// The rule for which IP addresses Canopy fetches on a dealer's behalf: public unicast only, IPv4 embedded in IPv6 judged as IPv4.
import net from 'node:net';

const blockedV4 = new net.BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blockedV4.addSubnet(network, prefix, 'ipv4');

// Inside global unicast (2000::/3), what is not public: documentation, benchmarking, ORCHID, the rest of the
// IETF protocol block, and local-use NAT64 (its embedded IPv4 may sit anywhere, so it cannot be judged).
const blockedV6 = new net.BlockList();
for (const [network, prefix] of [
  ['2001::', 23], ['2001:db8::', 32], ['3fff::', 20], ['64:ff9b:1::', 48],
] as const) blockedV6.addSubnet(network, prefix, 'ipv6');

/** An IPv6 address as eight 16-bit groups (a trailing dotted quad and a zone index allowed); null when not IPv6. */
export function ipv6Groups(address: string): number[] | null {
  const text = address.replace(/%.*$/, '');
  if (net.isIP(text) !== 6) return null;
  let body = text;
  const tail: number[] = [];
  const quad = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad[2].split('.').map(Number);
    tail.push((a << 8) | b, (c << 8) | d);
    body = quad[1].endsWith('::') ? quad[1] : quad[1].slice(0, -1);
  }
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const halves = body.split('::');
  const head = parse(halves[0]);
  const rest = halves.length > 1 ? parse(halves[1]) : [];
  const missing = 8 - tail.length - head.length - rest.length;
  return [...head, ...Array<number>(halves.length > 1 ? missing : 0).fill(0), ...rest, ...tail];
}

const v4 = (high: number, low: number) => `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;

/**
 * The IPv4 addresses an IPv6 address carries, which a packet to it may end up at: IPv4-mapped
 * (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d, :: and ::1 included), IPv4-translated (::ffff:0:a.b.c.d),
 * NAT64 (64:ff9b::/96), 6to4 (2002::/16) and Teredo (2001::/32: its server and its obfuscated client).
 * Empty for any other address.
 */
export function embeddedIPv4(groups: readonly number[]): string[] {
  const [g0, g1, g2, g3, g4, g5, g6, g7] = groups;
  const zeros = (n: number) => groups.slice(0, n).every((g) => g === 0);
  if (zeros(5) && g5 === 0xffff) return [v4(g6, g7)];
  if (zeros(4) && g4 === 0xffff && g5 === 0) return [v4(g6, g7)];
  if (zeros(6)) return [v4(g6, g7)];
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return [v4(g6, g7)];
  if (g0 === 0x2002) return [v4(g1, g2)];
  if (g0 === 0x2001 && g1 === 0) return [v4(g2, g3), v4(~g6 & 0xffff, ~g7 & 0xffff)];
  return [];
}

/** Whether an IP address may be fetched on a dealer's behalf (public unicast only); not an IP address: false. */
export function isPublicAddress(address: string): boolean {
  if (net.isIP(address) === 4) return !blockedV4.check(address, 'ipv4');
  const groups = ipv6Groups(address);
  if (groups === null) return false;
  const carried = embeddedIPv4(groups);
  if (carried.length > 0) return carried.every((a) => !blockedV4.check(a, 'ipv4'));
  const canonical = groups.map((g) => g.toString(16)).join(':');
  return (groups[0] & 0xe000) === 0x2000 && !blockedV6.check(canonical, 'ipv6');
}
