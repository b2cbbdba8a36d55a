// Builds the Fastify app from plugins; no business logic here.
import Fastify, { type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { capabilities } from './capabilities.ts';
import { createCollectionRuntime, type CollectionRuntime } from './collection/runtime.ts';
import { certificatePages } from './ledger/certificate-pages.ts';
import { publicBaseUrl } from './ledger/public-url.ts';
import { authPlugin } from './http/auth.ts';
import { clientErrorHandler, errorsPlugin, frameworkErrors } from './http/errors.ts';
import { parseJsonBody } from './http/json-body.ts';
import { buildValidator } from './http/validation.ts';
import { idempotencyPlugin, type IdempotencyFailpoint } from './http/idempotency.ts';
import { inactivePlugin } from './http/inactive.ts';
import { perKeyLimitPlugin, rateLimitsPlugin } from './http/rate-limits.ts';
import { metricsPlugin } from './http/metrics.ts';
import { ErrorBody } from './http/schemas.ts';
import { registerScoped, type AppDeps } from './http/scope.ts';
import { capConnectionsPerAddress, serverTimeouts } from './http/slow-clients.ts';
import { transportPlugin } from './http/transport.ts';
import { sessionsPlugin } from './sessions/routes.ts';
import { webPlugin } from './web/serve.ts';
import { publicMailRoutes } from './notifications/public-routes.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered, for documentation and the authorization matrix test. */
    routeList: Array<{ method: string; url: string }>;
    /** The collection engine the routes use (serve attaches the job queue to it). */
    collection: CollectionRuntime;
  }
}

export const API_VERSION = '1.5.3';
const BODY_LIMIT = 1024 * 1024;


export interface BuildOptions extends AppDeps {
  logger?: FastifyServerOptions['logger'];
  https?: { cert: Buffer; key: Buffer } | null;
  /** Tests only: called between the steps of an idempotent request (see http/idempotency.ts). */
  idempotencyFailpoint?: IdempotencyFailpoint;
}

/** Censored log paths: kept with the log serializers in http/logging.ts. */
export { REDACTED_PATHS } from './http/logging.ts';

export async function buildApp(options: BuildOptions): Promise<FastifyInstance> {
  const { logger, https, ...given } = options;
  const deps = { ...given, collection: given.collection ?? createCollectionRuntime(given) };
  const slow = deps.config.edge.slowClients;
  // A client that trickles its headers or body, or idles on a kept-alive socket, is cut off (http/slow-clients.ts).
  const timeouts = serverTimeouts(slow);
  const app = Fastify({
    logger: logger ?? false,
    bodyLimit: BODY_LIMIT,
    http: timeouts,
    ...(https ? { https: { ...https, ...timeouts } } : {}),
    // Fastify sets these two on the server after creating it: they must say the same.
    requestTimeout: timeouts.requestTimeout,
    keepAliveTimeout: timeouts.keepAliveTimeout,
    ajv: { customOptions: { removeAdditional: true, coerceTypes: 'array', useDefaults: true, allErrors: false } },
    // Bodies validated without coercion, text parts from strict decimal text, no NUL anywhere (http/validation.ts).
    schemaController: { compilersFactory: { buildValidator } },
    frameworkErrors,
    clientErrorHandler,
    // X-Forwarded-For/-Proto/-Host count only from these (request.ip, request.protocol); from anyone else not.
    trustProxy: deps.config.edge.trustedProxies.length > 0 ? deps.config.edge.trustedProxies : false,
  }).withTypeProvider<TypeBoxTypeProvider>();
  capConnectionsPerAddress(app.server, { max: slow.maxConnectionsPerAddress, trustedProxies: deps.config.edge.trustedProxies, tls: Boolean(https) });

  // Any body is read as JSON (curl's default form content type included); an empty body is {}.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(String(body)));
    } catch (error) {
      done(error as Error, undefined);
    }
  });

  const routeList: Array<{ method: string; url: string }> = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') routeList.push({ method, url: route.url });
  });
  app.decorate('routeList', routeList);
  app.decorate('publicBaseUrl', (request: FastifyRequest) => publicBaseUrl(deps.config, request));
  app.decorate('collection', deps.collection);
  if (!given.collection) deps.collection.setLog((line) => app.log.info(line));

  app.addSchema(ErrorBody);
  await app.register(errorsPlugin);
  await app.register(transportPlugin, { allowHttp: deps.config.allowHttp });
  await app.register(rateLimitsPlugin, { limits: deps.config.edge.rateLimits });
  await app.register(metricsPlugin, { db: deps.db, metricsKey: deps.config.edge.metricsKey });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Canopy API',
        version: API_VERSION,
        description:
          'Reforestation ledger for printed paper. Wire-compatible with PrintReleaf API v1: every /v1 resource also answers under /v1/accounts/{account_id}/… for any descendant account.',
      },
      components: {
        securitySchemes: {
          basic: { type: 'http', scheme: 'basic', description: 'API key as the username, empty password' },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ basic: [] }, { bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get(
    '/healthz',
    { schema: { tags: ['Service'], summary: 'Liveness and database check', security: [] } },
    async (_request, reply) => {
      try {
        await deps.db.query('SELECT 1');
        return { status: 'ok', database: deps.db.kind };
      } catch {
        reply.code(503);
        return { status: 'unavailable', database: deps.db.kind };
      }
    },
  );

  await app.register(
    async (v1) => {
      await v1.register(authPlugin, { db: deps.db, clock: deps.clock });
      await v1.register(perKeyLimitPlugin, { limits: deps.config.edge.rateLimits });
      await v1.register(inactivePlugin, { db: deps.db });
      await v1.register(idempotencyPlugin, { db: deps.db, clock: deps.clock, failpoint: options.idempotencyFailpoint });
      for (const capability of capabilities) await registerScoped(v1, capability, deps);
    },
    { prefix: '/v1' },
  );
  await app.register(certificatePages, { db: deps.db, config: deps.config });
  await app.register(sessionsPlugin, { db: deps.db, config: deps.config, clock: deps.clock });
  await app.register(publicMailRoutes, { db: deps.db, config: deps.config, clock: deps.clock });
  await app.register(webPlugin);
  return app;
}
