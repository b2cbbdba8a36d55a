// Bounds on what one client can hold of the HTTP server: header, request and keep-alive timeouts, and a cap on open connections per address.
import net from 'node:net';
import type { Server } from 'node:http';
import { ConfigError, integer } from '../config.ts';

export interface SlowClientLimits {
  /** Time to receive the request line and every header. */
  headersTimeoutMs: number;
  /** Time to receive the whole request, body included. */
  requestTimeoutMs: number;
  /** How long a kept-alive connection may sit idle between requests. */
  keepAliveTimeoutMs: number;
  /** Connections one client address may hold open at once (a trusted proxy's are not counted). */
  maxConnectionsPerAddress: number;
}

export function loadSlowClientLimits(env: NodeJS.ProcessEnv): SlowClientLimits {
  const limits = {
    headersTimeoutMs: integer(env, 'CANOPY_HTTP_HEADERS_TIMEOUT_MS', 10_000, 100, 600_000),
    requestTimeoutMs: integer(env, 'CANOPY_HTTP_REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000),
    keepAliveTimeoutMs: integer(env, 'CANOPY_HTTP_KEEP_ALIVE_TIMEOUT_MS', 72_000, 100, 600_000),
    maxConnectionsPerAddress: integer(env, 'CANOPY_HTTP_MAX_CONNECTIONS_PER_ADDRESS', 128, 1, 1_000_000),
  };
  // Node refuses a headers timeout longer than the request's: the headers are part of the request.
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new ConfigError('CANOPY_HTTP_HEADERS_TIMEOUT_MS must not be longer than CANOPY_HTTP_REQUEST_TIMEOUT_MS');
  }
  return limits;
}

/**
 * Options for http(s).createServer. Node looks for requests past their timeout only every
 * connectionsCheckingInterval (30 s by default, longer than a short headers timeout): check at a
 * fraction of the headers timeout, at most once a second.
 */
export function serverTimeouts(limits: SlowClientLimits) {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
  };
}

const NAMED_RANGES: Record<string, Array<[string, number, 'ipv4' | 'ipv6']>> = {
  loopback: [['127.0.0.0', 8, 'ipv4'], ['::1', 128, 'ipv6']],
  linklocal: [['169.254.0.0', 16, 'ipv4'], ['fe80::', 10, 'ipv6']],
  uniquelocal: [['10.0.0.0', 8, 'ipv4'], ['172.16.0.0', 12, 'ipv4'], ['192.168.0.0', 16, 'ipv4'], ['fc00::', 7, 'ipv6']],
};

/** CANOPY_TRUSTED_PROXIES entries (already checked by edge-settings) as a BlockList to match socket peers. */
export function proxyList(entries: string[]): net.BlockList {
  const list = new net.BlockList();
  for (const entry of entries) {
    if (NAMED_RANGES[entry]) {
      for (const [address, prefix, family] of NAMED_RANGES[entry]) list.addSubnet(address, prefix, family);
      continue;
    }
    const [address, prefix] = entry.split('/');
    const family = net.isIP(address) === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return list;
}

/** '::ffff:10.0.0.1' (an IPv4 peer on a dual-stack socket) → '10.0.0.1'. */
function peerAddress(socket: net.Socket): string | null {
  const address = socket.remoteAddress;
  if (!address) return null;
  return address.toLowerCase().startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}

const REFUSAL = JSON.stringify({
  code: 429,
  error: 'too many open connections from this address (CANOPY_HTTP_MAX_CONNECTIONS_PER_ADDRESS): close some and try again',
});

export interface ConnectionCap {
  /** Connections now open from the address (tests and metrics). */
  openFrom(address: string): number;
}

/**
 * Refuses a connection beyond the cap at once: on plain HTTP with a 429 in the API's error shape, on
 * TLS by closing it (no plain text can be sent before the handshake). A refused connection never
 * reaches the HTTP parser (the server's own connection listeners are called only for admitted ones),
 * so nothing it sent is handled. The count goes down when a connection closes, however it closes.
 */
export function capConnectionsPerAddress(server: Server, options: { max: number; trustedProxies: string[]; tls: boolean }): ConnectionCap {
  const open = new Map<string, number>();
  const trusted = proxyList(options.trustedProxies);
  const admit = server.listeners('connection') as Array<(socket: net.Socket) => void>;
  server.removeAllListeners('connection');
  server.on('connection', (socket: net.Socket) => {
    const address = peerAddress(socket);
    const counted = address !== null && !trusted.check(address, net.isIPv4(address) ? 'ipv4' : 'ipv6');
    const count = counted ? open.get(address) ?? 0 : 0;
    if (counted && count >= options.max) {
      refuse(socket, options.tls);
      return;
    }
    if (counted) {
      open.set(address, count + 1);
      socket.once('close', () => {
        const left = (open.get(address) ?? 1) - 1;
        if (left <= 0) open.delete(address);
        else open.set(address, left);
      });
    }
    for (const listener of admit) listener.call(server, socket);
  });
  return { openFrom: (address) => open.get(address) ?? 0 };
}

function refuse(socket: net.Socket, tls: boolean): void {
  if (tls) {
    socket.destroy();
    return;
  }
  socket.on('error', () => socket.destroy());
  socket.resume(); // what the client sent is read and dropped, so its close is seen
  socket.setTimeout(5_000, () => socket.destroy());
  socket.end(
    `HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(REFUSAL)}\r\n` +
    `Retry-After: 1\r\nConnection: close\r\n\r\n${REFUSAL}`,
  );
}
