// /quotes routes.
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireScope } from '../http/auth.ts';
import { pageRequest, sendPage } from '../http/pagination.ts';
import { Deleted, IdParams, PageQuery, errorResponses } from '../http/schemas.ts';
import type { RouteDeps } from '../http/scope.ts';
import { CreateQuoteBody, ExpandedQuote, Quote } from './schema.ts';
import * as quotes from './service.ts';
import { expandedQuoteView, quoteView } from './view.ts';

export const quoteRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, clock, config, params }) => {
  const tags = ['Quotes'];
  app.get(
    '/quotes',
    {
      schema: {
        tags, summary: 'List quotes, newest first', params: params(), querystring: PageQuery,
        response: { 200: Type.Array(Quote), ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const page = pageRequest(request.query);
      return sendPage(request, reply, page, await quotes.listQuotes(db, requireScope(request), page)).map(quoteView);
    },
  );
  app.get(
    '/quotes/:id',
    { schema: { tags, summary: 'Retrieve a quote with its items', params: params(IdParams), response: { 200: ExpandedQuote, ...errorResponses(400, 401, 404) } } },
    async (request) => expandedQuoteView(await quotes.getQuote(db, requireScope(request), request.params.id)),
  );
  app.post(
    '/quotes',
    {
      schema: {
        tags,
        summary: 'Quote paper: mass, standard pages, trees and price',
        description:
          'Each item is paper (quantity; width and length or height in metres, default US Letter; density in g/m², default 75, or a paper_type_id that supplies it) or a mass in grams. price = standard_pages x the account\'s rate.',
        params: params(), body: CreateQuoteBody,
        response: { 201: ExpandedQuote, ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const quote = await quotes.createQuote(db, requireScope(request), request.body, { defaultRate: config.defaultRate, now: clock() });
      reply.code(201);
      return expandedQuoteView(quote);
    },
  );
  app.delete(
    '/quotes/:id',
    {
      schema: {
        tags, summary: 'Delete a quote that has not been transacted', params: params(IdParams),
        response: { 200: Deleted, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request) => {
      await quotes.deleteQuote(db, requireScope(request), request.params.id);
      return { id: request.params.id, deleted: true };
    },
  );
};
