// Rate limits (@fastify/rate-limit, in-process counters per minute): failed authentications per client
// address, public certificate renderings per client address, and a ceiling per API key or session.
// Each answers 429 with Retry-After and {code, error}.
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Type } from 'typebox';
import type { RateLimits } from './edge-settings.ts';
import { TooManyRequests } from './errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Public work that costs real CPU per request (a rendered PDF): limited per client address. */
    publicRender?: boolean;
  }
}

const WINDOW_MS = 60_000;

type Limiter = (request: FastifyRequest, options?: { increment?: boolean }) => Promise<{
  isAllowed: boolean;
  isExceeded?: boolean;
  remaining?: number;
  max?: number;
  ttlInSeconds?: number;
}>;

/** Paths where credentials are checked: an address over its failures is refused there before checking. */
const AUTHENTICATED_PATHS = /^\/(v1|auth|metrics)(\/|$|\?)/;

function documentTooManyRequests(route: { schema?: unknown }) {
  const schema = (route.schema ??= {}) as { response?: Record<string | number, unknown> };
  if (schema.response && !(429 in schema.response)) schema.response[429] = Type.Ref('Error');
}

/** Register at the root, before the routes: failed authentication and public rendering limits. */
export const rateLimitsPlugin = fp(async (app: FastifyInstance, opts: { limits: RateLimits }) => {
  const { limits } = opts;
  await app.register(rateLimit, { global: false });
  const create = (max: number, prefix: string) =>
    app.createRateLimit({ max, timeWindow: WINDOW_MS, keyGenerator: (request) => `${prefix}:${request.ip}` }) as Limiter;

  const authFailures = create(limits.authFailuresPerMinute, 'auth-failures');
  app.addHook('onRequest', async (request) => {
    if (!AUTHENTICATED_PATHS.test(request.url)) return;
    // A peek: only failures count, but once over the limit no key or password is even looked at.
    const state = await authFailures(request, { increment: false });
    if ((state.remaining ?? 1) <= 0) {
      throw new TooManyRequests(
        `too many failed authentications from this address (limit ${limits.authFailuresPerMinute} a minute); retry in ${state.ttlInSeconds} s`,
        Math.max(1, state.ttlInSeconds ?? 60),
      );
    }
  });
  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode === 401) await authFailures(request);
  });

  const renders = create(limits.pdfPerMinute, 'render');
  app.addHook('onRoute', (route) => {
    if (!route.config?.publicRender) return;
    documentTooManyRequests(route);
    const hooks = [route.preHandler ?? []].flat();
    route.preHandler = [
      async (request: FastifyRequest) => {
        const state = await renders(request);
        if (state.isExceeded) {
          throw new TooManyRequests(
            `too many certificate renderings from this address (limit ${limits.pdfPerMinute} a minute); retry in ${state.ttlInSeconds} s`,
            Math.max(1, state.ttlInSeconds ?? 60),
          );
        }
      },
      ...hooks,
    ];
  });
});

/** Register inside /v1 after the auth plugin: a ceiling per API key (or session) of its principal. */
export const perKeyLimitPlugin = fp(async (app: FastifyInstance, opts: { limits: RateLimits }) => {
  const max = opts.limits.perKeyPerMinute;
  app.addHook('onRoute', documentTooManyRequests);
  if (max === 0) return;
  const perKey = app.createRateLimit({
    max,
    timeWindow: WINDOW_MS,
    keyGenerator: (request) => `key:${request.principal?.keyId ?? request.ip}`,
  }) as Limiter;
  app.addHook('onRequest', async (request, reply) => {
    if (!request.principal) return;
    const state = await perKey(request);
    reply.header('x-ratelimit-limit', String(max));
    reply.header('x-ratelimit-remaining', String(state.remaining ?? 0));
    if (state.isExceeded) {
      throw new TooManyRequests(
        `this key made more than ${max} requests in a minute; retry in ${state.ttlInSeconds} s`,
        Math.max(1, state.ttlInSeconds ?? 60),
      );
    }
  });
});
