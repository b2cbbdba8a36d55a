// /servers routes: register, change, test and delete upstream servers; list their entities and feeds; Printix tenants.
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requirePrincipal, requireScope } from '../http/auth.ts';
import { pageRequest, sendPage } from '../http/pagination.ts';
import { Deleted, IdParams, PageQuery, errorResponses } from '../http/schemas.ts';
import type { RouteDeps } from '../http/scope.ts';
import { isoTimestamp } from '../http/wire.ts';
import { Forbidden, InvalidInput } from '../domain/errors.ts';
import { accountInScope } from '../http/auth.ts';
import type { CollectionRuntime } from '../collection/runtime.ts';
import { requestRun } from '../collection/runs.ts';
import * as servers from './servers-service.ts';
import { createFeed, listServerFeeds } from './feeds-service.ts';
import { ConnectionTestResult, CreateServerBody, Feed, ProvisionTenantBody, Server, UpdateServerBody, UpstreamEntity } from './schema.ts';
import { feedView, serverView } from './views.ts';

export function runtimeOf(deps: RouteDeps): CollectionRuntime {
  if (!deps.collection) throw new Error('the collection runtime is not configured');
  return deps.collection;
}

/**
 * A server makes Canopy connect where it says, on the installation's behalf: dealers (channel accounts)
 * and the admin register servers; a customer reads the servers it can see, but neither adds one nor
 * changes, tests or reads through one (it would pick the URLs Canopy fetches, or spend its dealer's quota).
 */
function requireDealer(account: { id: string; name: string; role: string }, action: string): void {
  if (account.role !== 'customer') return;
  throw new Forbidden(`servers are registered and managed by channel (dealer) and admin accounts: customer account "${account.name}" (${account.id}) may not ${action}`);
}

export const serverRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, deps) => {
  const { db, clock, params } = deps;
  const runtime = runtimeOf(deps);
  const tags = ['Servers'];

  app.get(
    '/servers',
    { schema: { tags, summary: 'List servers, newest first', params: params(), querystring: PageQuery, response: { 200: Type.Array(Server), ...errorResponses(400, 401, 404) } } },
    async (request, reply) => {
      const page = pageRequest(request.query);
      return sendPage(request, reply, page, await servers.listServers(db, requireScope(request), page)).map(serverView);
    },
  );
  app.get(
    '/servers/:id',
    { schema: { tags, summary: 'Retrieve a server (never its password)', params: params(IdParams), response: { 200: Server, ...errorResponses(400, 401, 404) } } },
    async (request) => serverView(await servers.getServer(db, requireScope(request), request.params.id)),
  );
  app.post(
    '/servers',
    {
      schema: {
        tags, summary: 'Register a server',
        description:
          'Supported types: printtracker (username = dealer parent entity ID, password = API key), pharos (password = authorization key, url required), ' +
          'printix (username = client id, password = client secret, partner_id; auth_url = token endpoint). The password is encrypted at rest and never returned. ' +
          'URLs must be https and must not point at loopback, private, link-local or metadata addresses (unless the installation allows private upstreams).',
        params: params(), body: CreateServerBody, response: { 201: Server, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      requireDealer(requireScope(request), 'register a server');
      const row = await servers.createServer(db, runtime.integration, requireScope(request), request.body, clock());
      runtime.checkServerSoon(row.id);
      reply.code(201);
      return serverView(row);
    },
  );
  app.patch(
    '/servers/:id',
    {
      schema: {
        tags, summary: 'Update a server; a new password, address or username is checked again at once',
        params: params(IdParams), body: UpdateServerBody, response: { 200: Server, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      requireDealer(requirePrincipal(request).account, 'change a server');
      const row = await servers.updateServer(db, runtime.integration, requireScope(request), request.params.id, request.body);
      if (row.health_check === 'pending') runtime.checkServerSoon(row.id);
      return serverView(row);
    },
  );
  app.delete(
    '/servers/:id',
    { schema: { tags, summary: 'Delete a server no feed uses', params: params(IdParams), response: { 200: Deleted, ...errorResponses(400, 401, 403, 404, 409) } } },
    async (request) => {
      requireDealer(requirePrincipal(request).account, 'delete a server');
      await servers.deleteServer(db, requireScope(request), request.params.id);
      return { id: request.params.id, deleted: true };
    },
  );
  app.post(
    '/servers/test',
    {
      schema: {
        tags, summary: 'Test a server before saving it (nothing is stored)',
        description: 'Connects with the given credentials and says what happened: ok, wrong_credentials, unreachable, timed_out, refused_address or upstream_error.',
        params: params(), body: CreateServerBody, response: { 200: ConnectionTestResult, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      requireDealer(requireScope(request), 'test a server');
      const result = await servers.testUnsavedServer(runtime.integration, request.body, clock);
      return { ...result, checked_at: isoTimestamp(result.checked_at) };
    },
  );
  app.post(
    '/servers/:id/test',
    {
      schema: {
        tags, summary: 'Test a server with its stored credentials (nothing is stored)',
        params: params(IdParams), response: { 200: ConnectionTestResult, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      requireDealer(requirePrincipal(request).account, 'test a server');
      const result = await servers.testStoredServer(db, runtime.integration, requireScope(request), request.params.id, clock);
      return { ...result, checked_at: isoTimestamp(result.checked_at) };
    },
  );
  app.get(
    '/servers/:id/entities',
    {
      schema: {
        tags, summary: 'The upstream customers a feed can map to',
        description: 'Print Tracker: the entity tree below the dealer; Pharos: the tenant of the key; Printix: the partner’s tenants. 502 when the server cannot be read.',
        params: params(IdParams), response: { 200: Type.Array(UpstreamEntity), ...errorResponses(400, 401, 403, 404, 409, 502) },
      },
    },
    async (request) => {
      requireDealer(requirePrincipal(request).account, 'read a server\'s upstream entities');
      return servers.listEntities(db, runtime.integration, requireScope(request), request.params.id);
    },
  );
  app.get(
    '/servers/:id/feeds',
    {
      schema: {
        tags, summary: 'Every feed on this server, whichever customer it collects for',
        params: params(IdParams), querystring: PageQuery, response: { 200: Type.Array(Feed), ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await servers.getServer(db, requireScope(request), request.params.id);
      const page = pageRequest(request.query);
      return sendPage(request, reply, page, await listServerFeeds(db, request.params.id, page)).map(feedView);
    },
  );
  app.post(
    '/servers/:id/tenants',
    {
      schema: {
        tags: [...tags, 'Printix'], summary: 'Printix: provision a tenant for an account and link it with a feed',
        params: params(IdParams), body: ProvisionTenantBody, response: { 201: Feed, ...errorResponses(400, 401, 403, 404, 409, 502) },
      },
    },
    async (request, reply) => {
      const scope = requireScope(request);
      const principal = requirePrincipal(request);
      requireDealer(principal.account, 'provision a tenant');
      const server = await servers.getServer(db, scope, request.params.id);
      if (server.type !== 'printix') throw new InvalidInput('server', 'must be a Printix server to provision tenants');
      const account = await accountInScope(db, principal, request.body.account_id);
      const tenant = await servers.withServerConnector(db, runtime.integration, server.id, async (connector) => {
        if (connector.source.kind !== 'tenants') throw new InvalidInput('server', 'must be a Printix server to provision tenants');
        return connector.source.provision({
          tenant_name: request.body.tenant_name,
          tenant_domain: request.body.tenant_domain.replace(/\.printix\.net$/, ''),
          initial_user: request.body.initial_user ?? null,
        });
      });
      const feed = await createFeed(db, principal, account, { server_id: server.id, external_id: tenant.id, external_name: tenant.tenant_name }, clock());
      const { run, joined } = await requestRun(db, { account, feedId: feed.id, trigger: 'backfill', now: clock(), openRunsBound: null });
      if (!joined) await runtime.startRun(run.id);
      reply.code(201);
      return feedView(feed);
    },
  );
};
