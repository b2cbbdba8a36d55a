// Printix partner API routes: /oauth/token (also on its own origin) and /public/partners/:partnerId/tenants[/:tenantId[/billing-info]] in HAL+JSON.

import { json, route, type Handler, type Reply, type RequestContext, type Route } from '../http/router.ts';
import type { World } from '../world/world.ts';
import { TokenStore, type PrintixCredentials } from './oauth.ts';
import { TenantStore } from './tenants.ts';

export const errorBody = (status: number, message: string) => ({ error: status === 429 ? 'too_many_requests' : 'error', error_description: message });

const HAL = { 'content-type': 'application/hal+json; charset=utf-8' };
const hal = (body: unknown): Reply => ({ status: 200, body, headers: HAL });

export interface PrintixState {
  tokens: TokenStore;
  tenants: TenantStore;
}

export function printixRoutes(world: World, creds: PrintixCredentials, state: PrintixState): Route[] {
  const { tokens, tenants } = state;

  /** Bearer token and partner check; returns a reply when the request must stop. */
  const guard = (ctx: RequestContext): Reply | undefined => {
    const header = ctx.headers.authorization;
    const m = typeof header === 'string' ? /^bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!m || ctx.faults.wrongCredentials || !tokens.valid(m[1])) {
      return json(401, { error: 'invalid_token', error_description: m ? 'access token is unknown or expired' : 'missing bearer token' }, {
        'www-authenticate': `Bearer error="invalid_token"`,
      });
    }
    if (ctx.params.partnerId !== creds.partnerId) {
      return json(403, { error: 'forbidden', error_description: `partner ${ctx.params.partnerId} is not yours` });
    }
    return undefined;
  };

  const tenantOr404 = (ctx: RequestContext) => {
    const t = tenants.get(ctx.params.tenantId);
    return t ? t : json(404, { error: 'not_found', error_description: `no tenant ${ctx.params.tenantId}` });
  };

  const token = tokenHandler(state);
  return [
    route('POST', '/oauth/token', (ctx) =>
      // With the separate-auth variant the token endpoint lives only on its own origin, as auth.printix.net does.
      world.variants.printix.separateAuth ? json(404, errorBody(404, `not found: ${ctx.path}`)) : token(ctx)),

    route('GET', '/public/partners/:partnerId/tenants', (ctx) => {
      const stop = guard(ctx);
      if (stop) return stop;
      return hal({
        _links: { self: { href: `${ctx.baseUrl}/public/partners/${creds.partnerId}/tenants` } },
        tenants: tenants.tenants.map((t) => tenants.tenantBody(t, ctx.baseUrl, creds.partnerId)),
      });
    }),

    route('POST', '/public/partners/:partnerId/tenants', async (ctx) => {
      const stop = guard(ctx);
      if (stop) return stop;
      let body: unknown;
      try {
        body = JSON.parse(await ctx.body());
      } catch {
        return json(400, { error: 'invalid_request', error_description: 'body must be JSON' });
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        return json(400, { error: 'invalid_request', error_description: 'body must be a JSON object' });
      }
      const b = body as Record<string, unknown>;
      const name = b.tenant_name;
      if (typeof name !== 'string' || name.trim() === '' || name.length > 100) {
        return json(400, { error: 'invalid_request', error_description: 'tenant_name: required, at most 100 characters' });
      }
      let domain = b.tenant_domain;
      if (typeof domain !== 'string') return json(400, { error: 'invalid_request', error_description: 'tenant_domain: required' });
      domain = domain.endsWith('.printix.net') ? domain.slice(0, -'.printix.net'.length) : domain;
      if (typeof domain !== 'string' || !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(domain)) {
        return json(400, { error: 'invalid_request', error_description: 'tenant_domain: only lowercase letters, digits and dashes' });
      }
      if (tenants.byDomain(domain)) return json(409, { error: 'conflict', error_description: `tenant_domain: ${domain} is taken` });
      let initialUser: { email: string; name: string; create_as_admin: boolean } | undefined;
      if (b.initial_user !== undefined) {
        const u = b.initial_user as Record<string, unknown>;
        if (typeof u !== 'object' || u === null || typeof u.email !== 'string' || u.email === '') {
          return json(400, { error: 'invalid_request', error_description: 'initial_user.email: required' });
        }
        if (u.create_as_admin !== undefined && typeof u.create_as_admin !== 'boolean') {
          return json(400, { error: 'invalid_request', error_description: 'initial_user.create_as_admin: must be true or false' });
        }
        initialUser = { email: u.email, name: typeof u.name === 'string' ? u.name : '', create_as_admin: u.create_as_admin === true };
      }
      const t = tenants.create(name, domain, initialUser);
      return hal(tenants.tenantBody(t, ctx.baseUrl, creds.partnerId));
    }),

    route('GET', '/public/partners/:partnerId/tenants/:tenantId', (ctx) => {
      const stop = guard(ctx);
      if (stop) return stop;
      const t = tenantOr404(ctx);
      return 'status' in t ? t : hal(tenants.tenantBody(t, ctx.baseUrl, creds.partnerId));
    }),

    route('GET', '/public/partners/:partnerId/tenants/:tenantId/billing-info', (ctx) => {
      const stop = guard(ctx);
      if (stop) return stop;
      const t = tenantOr404(ctx);
      return 'status' in t ? t : hal(tenants.billingInfo(t, ctx.baseUrl, creds.partnerId));
    }),
  ];
}

/** `POST /oauth/token`: client credentials and refresh grants, form-encoded. */
function tokenHandler(state: PrintixState): Handler {
  return async (ctx) => {
    const type = String(ctx.headers['content-type'] ?? '');
    if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      return json(400, { error: 'invalid_request', error_description: 'body must be application/x-www-form-urlencoded' });
    }
    const result = state.tokens.grant(new URLSearchParams(await ctx.body()), ctx.faults.wrongCredentials);
    if (!result.ok) return json(result.status, { error: result.error, error_description: result.description });
    return json(200, result.body, { 'cache-control': 'no-store' });
  };
}

/** The token endpoint on its own origin (production: auth.printix.net, separate from api.printix.net). */
export function printixAuthRoutes(state: PrintixState): Route[] {
  return [route('POST', '/oauth/token', tokenHandler(state))];
}

export function newPrintixState(world: World, creds: PrintixCredentials, ttlSeconds: number): PrintixState {
  return {
    tokens: new TokenStore(world.options.seed, creds, () => world.now(), ttlSeconds),
    tenants: new TenantStore(world),
  };
}
