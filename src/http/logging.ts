// What the server's log lines may hold: URLs without credentials in their query, and database errors
// without the values of the statement (emails, names) that PostgreSQL and PGlite attach to them.
import type { FastifyServerOptions } from 'fastify';
import { stdSerializers, type DestinationStream } from 'pino';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Path parameters that are secrets (a one-time link's token): logged as [redacted], by the route's pattern. */
    secretParams?: readonly string[];
  }
}

/** Query parameters that carry a secret; their values never reach a log line. */
const SECRET_PARAMS = /([?&](?:api[_-]?key|key|token|access_token|password|secret|client_secret)=)[^&#]*/gi;

export function redactUrl(url: string): string {
  return url.replace(SECRET_PARAMS, '$1[redacted]');
}

/** Properties a database error carries that hold the statement's values or rows. */
const VALUE_FIELDS = ['params', 'parameters', 'values', 'detail', 'where', 'internalQuery', 'hint'];

// 'invalid input syntax for type integer: "alice@example.com"', 'Key (email)=(a@b) …': values after a colon or '='.
const QUOTED_VALUE = /(:\s*|=)("(?:[^"\\]|\\.)*"|\((?:[^()\\]|\\.)*\))/g;

export function redactDatabaseMessage(message: string): string {
  return message.replace(QUOTED_VALUE, '$1[redacted]');
}

function isDatabaseError(error: Record<string, unknown>): boolean {
  return typeof error.code === 'string' && /^[0-9A-Z]{5}$/.test(error.code) && ('severity' in error || 'query' in error || 'routine' in error);
}

type Serialized = Record<string, unknown> & { message?: string; stack?: string; cause?: unknown };

/** pino's error serializer, then database errors stripped of their values (causes too). */
export function serializeError(error: Error): Serialized {
  const out = stdSerializers.err(error) as unknown as Serialized;
  const scrub = (value: Serialized, original: Record<string, unknown>) => {
    if (!isDatabaseError(original)) return;
    for (const field of VALUE_FIELDS) delete value[field];
    if (typeof value.message === 'string') value.message = redactDatabaseMessage(value.message);
    if (typeof value.stack === 'string') {
      const [first, ...rest] = value.stack.split('\n');
      value.stack = [redactDatabaseMessage(first), ...rest].join('\n');
    }
  };
  scrub(out, error as unknown as Record<string, unknown>);
  let cause = (error as { cause?: unknown }).cause;
  let serializedCause = out.cause as Serialized | undefined;
  while (cause && typeof cause === 'object' && serializedCause && typeof serializedCause === 'object') {
    scrub(serializedCause, cause as Record<string, unknown>);
    cause = (cause as { cause?: unknown }).cause;
    serializedCause = serializedCause.cause as Serialized | undefined;
  }
  return out;
}

interface RequestLike {
  method: string;
  url: string;
  hostname?: string;
  ip?: string;
  socket?: { remotePort?: number };
  params?: unknown;
  routeOptions?: { url?: string; config?: { secretParams?: readonly string[] } };
}

/**
 * The URL a log line shows: on a route with secret path parameters, its pattern with those parameters
 * as [redacted] and the others filled in ('/auth/password-links/[redacted]'); secret query values redacted
 * everywhere.
 */
export function loggedUrl(request: RequestLike): string {
  const secret = request.routeOptions?.config?.secretParams;
  const pattern = request.routeOptions?.url;
  const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
  if (!secret?.length || !pattern) return redactUrl(request.url);
  const params = (request.params ?? {}) as Record<string, unknown>;
  const path = pattern.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_match, name: string) =>
    secret.includes(name) ? '[redacted]' : encodeURIComponent(String(params[name] ?? '')));
  return redactUrl(path + query);
}

/** Header paths censored wherever a log line carries headers. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  '*.password',
  '*.key',
  '*.apiKey',
];

/** Fastify's logger option: level, censored paths and the serializers above. */
export function loggerOptions(level: string, stream?: DestinationStream): FastifyServerOptions['logger'] {
  return {
    level,
    ...(stream ? { stream } : {}),
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: {
      req: (request: RequestLike) => ({
        method: request.method,
        url: loggedUrl(request),
        host: request.hostname,
        remoteAddress: request.ip,
        remotePort: request.socket?.remotePort,
      }),
      err: serializeError,
    },
  } as unknown as FastifyServerOptions['logger'];
}
