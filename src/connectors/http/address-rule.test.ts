// The address rule, exhaustively: every IPv4 range, every IPv6 range, and every IPv6 form that embeds an IPv4 address.
import { describe, expect, it } from 'vitest';
import { connectionRefusal } from './address-guard.ts';
import { embeddedIPv4, ipv6Groups, isPublicAddress } from './address-rule.ts';

const table: Array<[string, boolean, string]> = [
  // IPv4
  ['8.8.8.8', true, 'public'],
  ['93.184.216.34', true, 'public'],
  ['0.0.0.0', false, 'this network'],
  ['10.1.2.3', false, 'private 10/8'],
  ['100.64.0.1', false, 'CGNAT'],
  ['127.0.0.1', false, 'loopback'],
  ['127.255.255.254', false, 'loopback /8'],
  ['169.254.169.254', false, 'cloud metadata (link-local)'],
  ['172.16.0.1', false, 'private 172.16/12'],
  ['172.31.255.255', false, 'private 172.16/12'],
  ['172.32.0.1', true, 'just past 172.16/12'],
  ['192.0.0.1', false, 'IETF protocol assignments'],
  ['192.0.2.1', false, 'documentation'],
  ['192.88.99.1', false, '6to4 relay anycast'],
  ['192.168.1.1', false, 'private 192.168/16'],
  ['198.18.0.1', false, 'benchmarking'],
  ['198.51.100.1', false, 'documentation'],
  ['203.0.113.1', false, 'documentation'],
  ['224.0.0.1', false, 'multicast'],
  ['240.0.0.1', false, 'reserved'],
  ['255.255.255.255', false, 'broadcast'],
  // IPv6 without IPv4 inside
  ['2606:4700::1111', true, 'public global unicast'],
  ['2a00:1450:4001::200e', true, 'public global unicast'],
  ['::', false, 'unspecified'],
  ['::1', false, 'loopback'],
  ['fe80::1', false, 'link-local'],
  ['fe80::1%eth0', false, 'link-local with a zone'],
  ['fec0::1', false, 'site-local (deprecated)'],
  ['fc00::1', false, 'unique local'],
  ['fd00:ec2::254', false, 'AWS metadata (unique local)'],
  ['ff02::1', false, 'multicast'],
  ['100::1', false, 'discard prefix'],
  ['2001:db8::1', false, 'documentation'],
  ['3fff::1', false, 'documentation (2024)'],
  ['2001:2::1', false, 'benchmarking'],
  ['2001:10::1', false, 'ORCHID'],
  ['64:ff9b:1::a00:1', false, 'local-use NAT64'],
  ['4000::1', false, 'outside global unicast'],
  // IPv4-mapped
  ['::ffff:127.0.0.1', false, 'IPv4-mapped loopback'],
  ['::ffff:7f00:1', false, 'IPv4-mapped loopback, hex'],
  ['::ffff:10.0.0.1', false, 'IPv4-mapped private'],
  ['::ffff:169.254.169.254', false, 'IPv4-mapped metadata'],
  ['::ffff:8.8.8.8', true, 'IPv4-mapped public'],
  // IPv4-compatible
  ['::127.0.0.1', false, 'IPv4-compatible loopback'],
  ['::7f00:1', false, 'IPv4-compatible loopback, hex'],
  ['::10.0.0.1', false, 'IPv4-compatible private'],
  ['::8.8.8.8', true, 'IPv4-compatible public'],
  // IPv4-translated
  ['::ffff:0:127.0.0.1', false, 'IPv4-translated loopback'],
  ['::ffff:0:7f00:1', false, 'IPv4-translated loopback, hex'],
  ['::ffff:0:192.168.0.1', false, 'IPv4-translated private'],
  ['::ffff:0:8.8.8.8', true, 'IPv4-translated public'],
  // NAT64 well-known prefix
  ['64:ff9b::127.0.0.1', false, 'NAT64 loopback'],
  ['64:ff9b::a9fe:a9fe', false, 'NAT64 metadata'],
  ['64:ff9b::8.8.8.8', true, 'NAT64 public'],
  // 6to4
  ['2002:7f00:1::', false, '6to4 of loopback'],
  ['2002:a00:1::1', false, '6to4 of 10.0.0.1'],
  ['2002:c0a8:101::1', false, '6to4 of 192.168.1.1'],
  ['2002:a9fe:a9fe::', false, '6to4 of metadata'],
  ['2002:808:808::1', true, '6to4 of 8.8.8.8'],
  // Teredo: server in bits 32-63, client obfuscated (xor 0xffff) in the last 32
  ['2001:0:7f00:1::', false, 'Teredo with a loopback server'],
  ['2001:0:808:808:0:0:80ff:fffe', false, 'Teredo with a loopback client (127.0.0.1 xor ffff)'],
  ['2001:0:808:808:0:0:f7f7:f7f7', true, 'Teredo with public server and client (8.8.8.8)'],
  ['2001:0:a00:1:0:0:f7f7:f7f7', false, 'Teredo with a private server'],
  // not addresses
  ['localhost', false, 'a name'],
  ['', false, 'empty'],
  ['1.2.3', false, 'not an address'],
];

describe('the address rule', () => {
  it.each(table)('%s is public: %s (%s)', (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });

  it('expands every IPv6 spelling to its groups', () => {
    expect(ipv6Groups('::')).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(ipv6Groups('::ffff:1.2.3.4')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x102, 0x304]);
    expect(ipv6Groups('1:2:3:4:5:6:7.8.9.10')).toEqual([1, 2, 3, 4, 5, 6, 0x708, 0x90a]);
    expect(ipv6Groups('2001:db8::8:800:200c:417a')).toEqual([0x2001, 0xdb8, 0, 0, 8, 0x800, 0x200c, 0x417a]);
    expect(ipv6Groups('fe80::1%eth0')).toEqual([0xfe80, 0, 0, 0, 0, 0, 0, 1]);
    expect(ipv6Groups('1.2.3.4')).toBeNull();
  });

  it('finds the IPv4 addresses every embedding form carries', () => {
    expect(embeddedIPv4(ipv6Groups('2002:7f00:1::')!)).toEqual(['127.0.0.1']);
    expect(embeddedIPv4(ipv6Groups('2001:0:4136:e378:8000:63bf:3fff:fdd2')!)).toEqual(['65.54.227.120', '192.0.2.45']);
    expect(embeddedIPv4(ipv6Groups('2606:4700::1111')!)).toEqual([]);
  });

  it('judges URL hosts as WHATWG URLs normalise them', () => {
    for (const url of ['https://[::127.0.0.1]', 'https://[::ffff:0:127.0.0.1]', 'https://[2002:7f00:1::]', 'https://[::ffff:127.0.0.1]', 'https://[64:ff9b::127.0.0.1]']) {
      const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
      expect(isPublicAddress(host), url).toBe(false);
    }
  });
});

describe('the connection rule', () => {
  it('refuses plain http and private literals when private upstreams are not allowed', () => {
    expect(connectionRefusal('http:', 'example.com', false)).toMatch(/not https/);
    expect(connectionRefusal('https:', '127.0.0.1', false)).toMatch(/127\.0\.0\.1 is a loopback/);
    expect(connectionRefusal('https:', '[::1]', false)).toMatch(/::1 is a loopback/);
    expect(connectionRefusal('https:', '[::7f00:1]', false)).toMatch(/loopback/);
    expect(connectionRefusal('https:', '[2002:7f00:1::]', false)).toMatch(/loopback/);
    expect(connectionRefusal('https:', '8.8.8.8', false)).toBeNull();
    expect(connectionRefusal('https:', 'papi.printtrackerpro.com', false)).toBeNull();
  });

  it('lets everything through while private upstreams are allowed', () => {
    expect(connectionRefusal('http:', '127.0.0.1', true)).toBeNull();
    expect(connectionRefusal('https:', '[::1]', true)).toBeNull();
  });
});
