// /collection-runs routes: collect now (one feed or every feed below the account) and follow a run's progress.
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireScope } from '../http/auth.ts';
import { pageRequest, sendPage } from '../http/pagination.ts';
import { IdParams, PageQuery, errorResponses } from '../http/schemas.ts';
import type { RouteDeps } from '../http/scope.ts';
import { parseRecollectDay } from '../domain/calendar.ts';
import { NotFound } from '../domain/errors.ts';
import { feedUnder, getRun, listRunFeeds, listRuns, requestRun } from '../collection/runs.ts';
import { runtimeOf } from './servers-routes.ts';
import { CollectionRun, CreateRunBody, CreatedRun, RunFeed } from './schema.ts';
import { runFeedView, runView } from './views.ts';

export const runRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, deps) => {
  const { db, clock, params, config } = deps;
  const runtime = runtimeOf(deps);
  const tags = ['Collection'];

  app.post(
    '/collection-runs',
    {
      schema: {
        tags, summary: 'Collect now',
        description:
          'Every active feed of the account and its descendants, or one feed (feed_id); since re-collects from a day. Answers 202 with the run; poll it for progress. ' +
          'A pending run of the same request (same account, feed_id and since, none of its feeds started) is returned instead of a second one (joined: true). ' +
          'An account has at most CANOPY_COLLECT_OPEN_RUNS_PER_ACCOUNT open runs it asked for: past it, 409 naming the rule.',
        params: params(), body: CreateRunBody, response: { 202: CreatedRun, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      const account = requireScope(request);
      const feedId = request.body?.feed_id ?? null;
      const since = request.body?.since ?? null;
      if (since !== null) parseRecollectDay(since, clock());
      if (feedId !== null && !(await feedUnder(db, account.path, feedId))) throw new NotFound('Feed');
      const { run, joined } = await requestRun(db, {
        account, feedId, trigger: 'manual', since, now: clock(), openRunsBound: config.collection.openRunsPerAccount,
      });
      if (!joined) await runtime.startRun(run.id);
      reply.code(202);
      return { ...runView(run), joined };
    },
  );
  app.get(
    '/collection-runs',
    { schema: { tags, summary: 'List collection runs the account asked for, newest first', params: params(), querystring: PageQuery, response: { 200: Type.Array(CollectionRun), ...errorResponses(400, 401, 404) } } },
    async (request, reply) => {
      const page = pageRequest(request.query);
      return sendPage(request, reply, page, await listRuns(db, requireScope(request), page)).map(runView);
    },
  );
  app.get(
    '/collection-runs/:id',
    { schema: { tags, summary: 'A collection run and its progress', params: params(IdParams), response: { 200: CollectionRun, ...errorResponses(400, 401, 404) } } },
    async (request) => runView(await getRun(db, requireScope(request), request.params.id)),
  );
  app.get(
    '/collection-runs/:id/feeds',
    {
      schema: {
        tags, summary: 'The feeds of a collection run and how each ended',
        description: 'collected | failed (error says why) | offline (its server failed its check) | waited_for (covered_by: another run collected it after this one was asked for) | skipped (deactivated or deleted meanwhile); pending or collecting while the run goes on.',
        params: params(IdParams), querystring: PageQuery, response: { 200: Type.Array(RunFeed), ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const page = pageRequest(request.query);
      return sendPage(request, reply, page, await listRunFeeds(db, requireScope(request), request.params.id, page)).map(runFeedView);
    },
  );
};
