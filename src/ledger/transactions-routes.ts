// /transactions routes, in the default scope and under /accounts/:account_id.
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireScope } from '../http/auth.ts';
import { pageRequest, sendPage } from '../http/pagination.ts';
import { Deleted, IdParams, errorResponses } from '../http/schemas.ts';
import type { RouteDeps } from '../http/scope.ts';
import { dayRange } from './date-range.ts';
import { CreateTransactionBody, DateRangeQuery, Transaction } from './schema.ts';
import { createTransaction, deleteTransaction, getTransaction, listTransactions } from './transactions-service.ts';
import { transactionView } from './views.ts';

export const transactionRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, clock, params }) => {
  const tags = ['Transactions'];

  app.get(
    '/transactions',
    {
      schema: {
        tags, summary: 'List transactions, reverse-chronologically by date', params: params(), querystring: DateRangeQuery,
        response: { 200: Type.Array(Transaction), ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const page = pageRequest(request.query);
      const rows = await listTransactions(db, requireScope(request), dayRange(request.query), page);
      return sendPage(request, reply, page, rows).map(transactionView);
    },
  );

  app.get(
    '/transactions/:id',
    { schema: { tags, summary: 'Retrieve a transaction', params: params(IdParams), response: { 200: Transaction, ...errorResponses(400, 401, 404) } } },
    async (request) => transactionView(await getTransaction(db, requireScope(request), request.params.id)),
  );

  app.post(
    '/transactions',
    {
      schema: {
        tags,
        summary: 'Create a transaction and its certificate',
        description:
          'Give exactly one of pages (standard pages), trees or quote_id, and optionally project_id. The certificate ' +
          '(same id) is issued at once. A quote is transacted once (409 after).',
        params: params(), body: CreateTransactionBody,
        response: { 201: Transaction, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      const row = await createTransaction(db, requireScope(request), request.body, clock());
      reply.code(201);
      return transactionView(row);
    },
  );

  app.delete(
    '/transactions/:id',
    {
      schema: {
        tags, summary: 'Delete a transaction (until it is billed)', params: params(IdParams),
        response: { 200: Deleted, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request) => {
      await deleteTransaction(db, requireScope(request), request.params.id);
      return { id: request.params.id, deleted: true };
    },
  );
};
