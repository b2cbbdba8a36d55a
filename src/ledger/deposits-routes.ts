// /deposits routes, in the default scope and under /accounts/:account_id.
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireScope } from '../http/auth.ts';
import { pageRequest, sendPage } from '../http/pagination.ts';
import { Deleted, IdParams, errorResponses } from '../http/schemas.ts';
import type { RouteDeps } from '../http/scope.ts';
import { dayRange } from './date-range.ts';
import { createDeposit, deleteDeposit, getDeposit, listDeposits } from './deposits-service.ts';
import { CreateDepositBody, DateRangeQuery, Deposit } from './schema.ts';
import { depositView } from './views.ts';

export const depositRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, clock, params }) => {
  const tags = ['Deposits'];

  app.get(
    '/deposits',
    {
      schema: {
        tags, summary: 'List deposits, reverse-chronologically by date', params: params(), querystring: DateRangeQuery,
        response: { 200: Type.Array(Deposit), ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const page = pageRequest(request.query);
      const rows = await listDeposits(db, requireScope(request), dayRange(request.query), page);
      return sendPage(request, reply, page, rows).map(depositView);
    },
  );

  app.get(
    '/deposits/:id',
    { schema: { tags, summary: 'Retrieve a deposit', params: params(IdParams), response: { 200: Deposit, ...errorResponses(400, 401, 404) } } },
    async (request) => depositView(await getDeposit(db, requireScope(request), request.params.id)),
  );

  app.post(
    '/deposits',
    {
      schema: {
        tags,
        summary: 'Create a deposit',
        description:
          'Pages printed, counted in standard pages (US Letter at 75 g/m²) by size and density. Refused with 409 when its date ' +
          'falls in a closed month or the account is inactive.',
        params: params(), body: CreateDepositBody,
        response: { 201: Deposit, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      const row = await createDeposit(db, requireScope(request), request.body, clock());
      reply.code(201);
      return depositView(row);
    },
  );

  app.delete(
    '/deposits/:id',
    {
      schema: {
        tags, summary: 'Delete a deposit (until its month closes)', params: params(IdParams),
        response: { 200: Deleted, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request) => {
      await deleteDeposit(db, requireScope(request), request.params.id);
      return { id: request.params.id, deleted: true };
    },
  );
};
