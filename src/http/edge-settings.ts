// Settings of the server's edge: which proxies are trusted, rate limits, and where /metrics is served.
import net from 'node:net';
import { ConfigError, integer, text } from '../config.ts';
import { loadSlowClientLimits, type SlowClientLimits } from './slow-clients.ts';

export interface RateLimits {
  /** Failed authentications (401) a client address may make per minute before it is refused (429). */
  authFailuresPerMinute: number;
  /** Certificate PDFs (rendered on each request, no key needed) per client address per minute. */
  pdfPerMinute: number;
  /** Requests per API key (or session) per minute; 0 turns the ceiling off. */
  perKeyPerMinute: number;
}

export interface EdgeSettings {
  /** Addresses and CIDR ranges whose X-Forwarded-For / -Proto / -Host are believed; empty: none. */
  trustedProxies: string[];
  rateLimits: RateLimits;
  /** Bearer token that opens /metrics on the API port; null: only the admin account's keys do. */
  metricsKey: string | null;
  /** A separate listener serving only /metrics (no key), e.g. 9464; null: none. */
  metricsPort: number | null;
  metricsHost: string;
  /** Header, request and keep-alive timeouts and open connections per client address (http/slow-clients.ts). */
  slowClients: SlowClientLimits;
}

const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** "127.0.0.1, 10.0.0.0/8, ::1, loopback" → entries, each an address, a CIDR range or a named range. */
export function parseTrustedProxies(raw: string | null): string[] {
  if (raw === null) return [];
  const entries = raw.split(',').map((entry) => entry.trim()).filter(Boolean);
  for (const entry of entries) {
    if (NAMED_RANGES.has(entry)) continue;
    const [address, prefix, extra] = entry.split('/');
    const family = net.isIP(address);
    const bits = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
    if (family === 0 || !prefixOk || extra !== undefined) {
      throw new ConfigError(
        `CANOPY_TRUSTED_PROXIES must be a comma-separated list of IP addresses or CIDR ranges (or loopback, linklocal, uniquelocal), got "${entry}"`,
      );
    }
  }
  return entries;
}

export function loadEdgeSettings(env: NodeJS.ProcessEnv): EdgeSettings {
  const metricsKey = text(env, 'CANOPY_METRICS_KEY');
  if (metricsKey !== null && !/^[A-Za-z0-9_-]{16,128}$/.test(metricsKey)) {
    throw new ConfigError('CANOPY_METRICS_KEY must be 16 to 128 characters of A-Z, a-z, 0-9, _ or -');
  }
  const metricsPort = text(env, 'CANOPY_METRICS_PORT') === null ? null : integer(env, 'CANOPY_METRICS_PORT', 0, 0, 65535);
  return {
    trustedProxies: parseTrustedProxies(text(env, 'CANOPY_TRUSTED_PROXIES')),
    rateLimits: {
      authFailuresPerMinute: integer(env, 'CANOPY_RATE_LIMIT_AUTH_FAILURES', 20, 1, 1_000_000),
      pdfPerMinute: integer(env, 'CANOPY_RATE_LIMIT_PDF', 30, 1, 1_000_000),
      perKeyPerMinute: integer(env, 'CANOPY_RATE_LIMIT_PER_KEY', 1200, 0, 10_000_000),
    },
    metricsKey,
    metricsPort,
    metricsHost: text(env, 'CANOPY_METRICS_HOST') ?? '127.0.0.1',
    slowClients: loadSlowClientLimits(env),
  };
}
