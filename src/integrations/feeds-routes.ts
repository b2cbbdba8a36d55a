// /feeds routes (and their older alias /sources): map customers to upstream entities, activate, inspect devices.
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requirePrincipal, requireScope } from '../http/auth.ts';
import { pageRequest, sendPage } from '../http/pagination.ts';
import { Deleted, IdParams, PageQuery, errorResponses } from '../http/schemas.ts';
import type { RouteDeps } from '../http/scope.ts';
import { Conflict } from '../domain/errors.ts';
import type { AccountRef } from '../keys/api-keys.ts';
import { requestRun } from '../collection/runs.ts';
import * as feeds from './feeds-service.ts';
import { entityName, withServerConnector } from './servers-service.ts';
import { runtimeOf } from './servers-routes.ts';
import { FeedListQuery, ActivateFeedBody, Anomaly, Billing, CreateFeedBody, Device, Feed, UpdateFeedBody } from './schema.ts';
import { anomalyView, deviceView, feedView } from './views.ts';

export const feedRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, deps) => {
  const { db, clock, params } = deps;
  const runtime = runtimeOf(deps);

  /** A feed created or re-activated collects at once: a backfill when its activation is in the past. */
  // A feed made without external_name still shows the upstream's name for its entity.
  const nameOf: feeds.EntityNamer = (serverId, externalId) => entityName(db, runtime.integration, serverId, externalId);

  const backfill = async (account: AccountRef, feed: feeds.FeedRow) => {
    if (feed.type === 'import' || feed.status !== 'active' || (feed.activated_at && feed.activated_at > clock())) return;
    // A backfill already pending for the feed (created, then re-activated at once) is the same request.
    const { run, joined } = await requestRun(db, { account, feedId: feed.id, trigger: 'backfill', now: clock(), openRunsBound: null });
    if (!joined) await runtime.startRun(run.id);
  };

  for (const base of ['/feeds', '/sources']) {
    const alias = base === '/sources';
    const tags = ['Feeds'];
    const note = alias ? ' (alias of /feeds, for older clients)' : '';

    app.get(
      base,
      {
        schema: {
          tags, summary: `List feeds, reverse-chronologically by activated_at${note}`,
          description: 'The account’s own feeds; with include_descendants=true also every feed of the accounts below it (a dealer’s view).',
          params: params(), querystring: FeedListQuery, response: { 200: Type.Array(Feed), ...errorResponses(400, 401, 404) },
        },
      },
      async (request, reply) => {
        const page = pageRequest(request.query);
        const rows = await feeds.listFeeds(db, requireScope(request), page, request.query.include_descendants === true);
        return sendPage(request, reply, page, rows).map(feedView);
      },
    );
    app.get(
      `${base}/:id`,
      { schema: { tags, summary: `Retrieve a feed${note}`, params: params(IdParams), response: { 200: Feed, ...errorResponses(400, 401, 404) } } },
      async (request) => feedView(await feeds.getFeed(db, requireScope(request), request.params.id)),
    );
    app.post(
      base,
      {
        schema: {
          tags, summary: `Create a feed for the account${note}`,
          description:
            'Maps the account to an upstream entity (external_id, from GET /servers/:id/entities) of a server the account or an ancestor registered. ' +
            'activated_at defaults to the first day of the current month; a past date backfills from then. Collection starts at once.',
          params: params(), body: CreateFeedBody, response: { 201: Feed, ...errorResponses(400, 401, 404, 409) },
        },
      },
      async (request, reply) => {
        const account = requireScope(request);
        const feed = await feeds.createFeed(db, requirePrincipal(request), account, request.body, clock(), nameOf);
        await backfill(account, feed);
        reply.code(201);
        return feedView(feed);
      },
    );
    app.patch(
      `${base}/:id`,
      {
        schema: {
          tags, summary: `Update a feed${note}`,
          description: 'A new server, external_id, collection_scope or activated_at starts collection again from activated_at.',
          params: params(IdParams), body: UpdateFeedBody, response: { 200: Feed, ...errorResponses(400, 401, 404, 409) },
        },
      },
      async (request) => {
        const account = requireScope(request);
        const { feed, restarted } = await feeds.updateFeed(db, requirePrincipal(request), account, request.params.id, request.body, nameOf);
        if (restarted) await backfill(account, feed);
        return feedView(feed);
      },
    );
    app.delete(
      `${base}/:id`,
      {
        schema: {
          tags, summary: `Delete a feed${note}`, description: 'Collection stops; the deposits it made stay in the ledger.',
          params: params(IdParams), response: { 200: Deleted, ...errorResponses(400, 401, 404) },
        },
      },
      async (request) => {
        await feeds.deleteFeed(db, requireScope(request), request.params.id, clock());
        return { id: request.params.id, deleted: true };
      },
    );
    app.post(
      `${base}/:id/activate`,
      {
        schema: {
          tags, summary: `Activate a feed${note}`, description: 'activated_at defaults to now; collection starts again from it (a past date backfills).',
          params: params(IdParams), body: ActivateFeedBody, response: { 200: Feed, ...errorResponses(400, 401, 404) },
        },
      },
      async (request) => {
        const account = requireScope(request);
        const feed = await feeds.activateFeed(db, account, request.params.id, request.body?.activated_at, clock());
        await backfill(account, feed);
        return feedView(feed);
      },
    );
    app.post(
      `${base}/:id/deactivate`,
      { schema: { tags, summary: `Deactivate a feed: collection stops${note}`, params: params(IdParams), response: { 200: Feed, ...errorResponses(400, 401, 404) } } },
      async (request) => feedView(await feeds.deactivateFeed(db, requireScope(request), request.params.id, clock())),
    );
    app.get(
      `${base}/:id/devices`,
      {
        schema: {
          tags, summary: `The feed's devices: counters only${note}`,
          description: 'Per device Canopy keeps the upstream id, the managed flag and its counters (initial, latest, pages counted) — nothing else.',
          params: params(IdParams), querystring: PageQuery, response: { 200: Type.Array(Device), ...errorResponses(400, 401, 404) },
        },
      },
      async (request, reply) => {
        const page = pageRequest(request.query);
        const rows = await feeds.listDevices(db, requireScope(request), request.params.id, page);
        return sendPage(request, reply, page, rows).map((row) => deviceView(row, clock()));
      },
    );
    app.get(
      `${base}/:id/anomalies`,
      {
        schema: {
          tags, summary: `What collection noticed and did not count: resets, jumps, unreadable counters${note}`,
          params: params(IdParams), querystring: PageQuery, response: { 200: Type.Array(Anomaly), ...errorResponses(400, 401, 404) },
        },
      },
      async (request, reply) => {
        const page = pageRequest(request.query);
        const rows = await feeds.listAnomalies(db, requireScope(request), request.params.id, page);
        return sendPage(request, reply, page, rows).map(anomalyView);
      },
    );
    app.get(
      `${base}/:id/billing`,
      {
        schema: {
          tags: [...tags, 'Printix'], summary: `Printix: the linked tenant's billing periods (printing users, licenses)${note}`,
          params: params(IdParams), response: { 200: Billing, ...errorResponses(400, 401, 404, 409, 502) },
        },
      },
      async (request) => {
        const feed = await feeds.getFeed(db, requireScope(request), request.params.id);
        if (feed.type !== 'printix') throw new Conflict('billing periods exist for Printix feeds only');
        if (feed.server_id === null) throw new Conflict('billing periods exist for Printix feeds only');
        return withServerConnector(db, runtime.integration, feed.server_id, async (connector) => {
          if (connector.source.kind !== 'tenants') throw new Conflict('billing periods exist for Printix feeds only');
          return connector.source.billing(feed.external_id);
        });
      },
    );
  }
};
