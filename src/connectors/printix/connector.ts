// Printix partner API: OAuth2 client credentials on its own token origin (refreshed before expiry), tenants, billing.
import crypto from 'node:crypto';
import type { BillingPeriod, Connector, ConnectorOptions, PrintixTenant, ServerAccess, TenantBilling, TenantSource } from '../types.ts';
import { UpstreamClient, UpstreamError, parseJson, type UpstreamResponse } from '../http/upstream-client.ts';

export const PRINTIX_DEFAULT_URL = 'https://api.printix.net';
export const PRINTIX_DEFAULT_AUTH_URL = 'https://auth.printix.net/oauth/token';
/** Refresh this long before the access token expires, so no call goes out with a token about to lapse. */
const REFRESH_MARGIN_MS = 60_000;

interface Token {
  access: string;
  refresh: string | null;
  expiresAt: number;
  /** the credentials it was issued for: a changed secret gets a new token */
  fingerprint: string;
}

// Access tokens live in memory only, one per server, shared by every call of this process.
const tokens = new Map<string, Token>();

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** A tenant's id is only in its self link, as the Printix reference shows. */
export function tenantIdFromLinks(body: Json): string | null {
  const links = isObject(body._links) ? body._links : {};
  const self = isObject(links.self) ? str(links.self.href) : null;
  if (!self) return typeof body.id === 'string' ? body.id : null;
  const match = /\/tenants\/([^/?#]+)/.exec(self);
  return match ? decodeURIComponent(match[1]) : null;
}

function tenantOf(body: unknown): PrintixTenant | null {
  if (!isObject(body)) return null;
  const id = tenantIdFromLinks(body);
  if (!id) return null;
  return { id, tenant_name: str(body.tenant_name) ?? id, tenant_domain: str(body.tenant_domain) ?? '' };
}

function periodOf(body: unknown): BillingPeriod | null {
  if (!isObject(body)) return null;
  return {
    period_start: str(body.period_start), period_end: str(body.period_end),
    printing_users: num(body.printing_users), user_licenses: num(body.user_licenses),
  };
}

export function printixConnector(access: ServerAccess, options: ConnectorOptions): Connector {
  const api = new UpstreamClient(access.url || PRINTIX_DEFAULT_URL, options);
  const tokenUrl = new URL(access.authUrl || PRINTIX_DEFAULT_AUTH_URL);
  const auth = new UpstreamClient(tokenUrl.origin, options);
  const now = () => options.now?.() ?? Date.now();
  const clientId = access.username ?? '';
  const partner = encodeURIComponent(access.partnerId ?? '');
  const fingerprint = crypto.createHash('sha256').update(`${clientId}\u0000${access.password}\u0000${tokenUrl.href}`).digest('hex');

  const grant = async (form: Record<string, string>): Promise<Token | null> => {
    const response = await auth.request('POST', `${tokenUrl.pathname}${tokenUrl.search}`, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    if (response.status === 400 && form.grant_type === 'refresh_token') return null; // used or expired: start again
    if (response.status === 400 || response.status === 401 || response.status === 403) {
      throw new UpstreamError('wrong_credentials', `Printix refused the client credentials (${response.status})`, response.status);
    }
    if (response.status !== 200) throw new UpstreamError('upstream_error', `token endpoint answered ${response.status}`, response.status);
    const body = parseJson<Json>(response, 'token');
    const accessToken = str(body.access_token);
    if (!accessToken) throw new UpstreamError('upstream_error', 'token endpoint sent no access_token');
    const ttl = num(body.expires_in) ?? 600;
    return { access: accessToken, refresh: str(body.refresh_token), expiresAt: now() + ttl * 1000, fingerprint };
  };

  const token = async (force = false): Promise<string> => {
    const held = tokens.get(access.id);
    if (!force && held && held.fingerprint === fingerprint && held.expiresAt - REFRESH_MARGIN_MS > now()) return held.access;
    let next: Token | null = null;
    if (held && held.fingerprint === fingerprint && held.refresh) {
      next = await grant({ grant_type: 'refresh_token', client_id: clientId, refresh_token: held.refresh });
    }
    next ??= await grant({ grant_type: 'client_credentials', client_id: clientId, client_secret: access.password });
    if (!next) throw new UpstreamError('wrong_credentials', 'Printix issued no token');
    tokens.set(access.id, next);
    return next.access;
  };

  const call = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<UpstreamResponse> => {
    const send = async (bearer: string) =>
      api.request(method, `/public/partners/${partner}${path}`, {
        headers: { authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    let response = await send(await token());
    // An access token can lapse early (revoked, clock skew): get a fresh one once.
    if (response.status === 401) response = await send(await token(true));
    if (response.status === 401 || response.status === 403) {
      throw new UpstreamError('wrong_credentials', `Printix refused access to partner ${access.partnerId ?? ''} (${response.status})`, response.status);
    }
    return response;
  };

  const listTenants = async (): Promise<PrintixTenant[]> => {
    const response = await call('GET', '/tenants');
    if (response.status !== 200) throw new UpstreamError('upstream_error', `GET tenants answered ${response.status}`, response.status);
    const body = parseJson<unknown>(response, 'tenants');
    const embedded = isObject(body) && isObject(body._embedded) ? body._embedded : {};
    const list = Array.isArray(body) ? body : isObject(body) && Array.isArray(body.tenants) ? body.tenants : Array.isArray(embedded.tenants) ? embedded.tenants : [];
    return list.map(tenantOf).filter((t): t is PrintixTenant => t !== null);
  };

  const source: TenantSource = {
    kind: 'tenants',
    async tenant(tenantId) {
      const response = await call('GET', `/tenants/${encodeURIComponent(tenantId)}`);
      if (response.status === 404) return null;
      if (response.status !== 200) throw new UpstreamError('upstream_error', `GET tenant answered ${response.status}`, response.status);
      return tenantOf(parseJson<unknown>(response, 'tenant'));
    },
    async billing(tenantId): Promise<TenantBilling> {
      const tenantResponse = await call('GET', `/tenants/${encodeURIComponent(tenantId)}`);
      if (tenantResponse.status === 404) throw new UpstreamError('upstream_error', `tenant ${tenantId} no longer exists at Printix`, 404);
      if (tenantResponse.status !== 200) throw new UpstreamError('upstream_error', `GET tenant answered ${tenantResponse.status}`, tenantResponse.status);
      const tenant = parseJson<Json>(tenantResponse, 'tenant');
      const response = await call('GET', `/tenants/${encodeURIComponent(tenantId)}/billing-info`);
      const info = response.status === 200 ? parseJson<Json>(response, 'billing info') : isObject(tenant.billing_info) ? tenant.billing_info : {};
      return {
        tenant_name: str(tenant.tenant_name) ?? tenantId,
        tenant_domain: str(tenant.tenant_domain) ?? '',
        current_user_licenses: num(info.current_user_licenses),
        current_billing_period: periodOf(info.current_billing_period),
        previous_billing_period: periodOf(info.previous_billing_period),
      };
    },
    async provision(input) {
      const response = await call('POST', '/tenants', {
        tenant_name: input.tenant_name,
        tenant_domain: input.tenant_domain,
        ...(input.initial_user ? { initial_user: { ...input.initial_user, create_as_admin: true } } : {}),
      });
      if (response.status === 409) throw new UpstreamError('upstream_error', `Printix says the domain ${input.tenant_domain} is taken`, 409);
      if (response.status === 400) throw new UpstreamError('upstream_error', 'Printix refused the tenant: check tenant_name (at most 100 characters) and tenant_domain (lowercase letters, digits, dashes)', 400);
      if (response.status !== 200 && response.status !== 201) throw new UpstreamError('upstream_error', `POST tenants answered ${response.status}`, response.status);
      const tenant = tenantOf(parseJson<unknown>(response, 'new tenant'));
      if (!tenant) throw new UpstreamError('upstream_error', 'Printix answered without the new tenant’s link');
      return tenant;
    },
  };

  return {
    type: 'printix',
    source,
    get stats() {
      return { requests: api.stats.requests + auth.stats.requests, retries: api.stats.retries + auth.stats.retries };
    },
    async check() {
      if (!access.partnerId) throw new UpstreamError('wrong_credentials', 'partner_id is required for Printix');
      await listTenants();
    },
    async entities() {
      return (await listTenants()).map((t) => ({ id: t.id, name: t.tenant_name, kind: 'tenant' as const, parent_id: null }));
    },
    async close() {
      await Promise.all([api.close(), auth.close()]);
    },
  };
}
