// /account and /accounts routes, in the default scope and under /accounts/:account_id.
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requirePrincipal, requireScope } from '../http/auth.ts';
import { pageRequest, sendPage } from '../http/pagination.ts';
import { IdParams, PageQuery, errorResponses } from '../http/schemas.ts';
import type { RouteDeps } from '../http/scope.ts';
import type { AccountRef } from '../keys/api-keys.ts';
import { Account, CreateAccountBody, ExpandedAccount, UpdateAccountBody } from './schema.ts';
import { createAccount, getExpandedAccount, listChildAccounts, setAccountStatus, updateAccount } from './service.ts';
import { accountView, expandedAccountView } from './view.ts';

export const accountRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, clock, params }) => {
  const tags = ['Accounts'];
  const expand = async (within: AccountRef, id: string) => {
    const { row, figures } = await getExpandedAccount(db, within, id, clock());
    return expandedAccountView(row, figures);
  };

  app.get(
    '/account',
    { schema: { tags, summary: 'Retrieve the account', params: params(), response: { 200: ExpandedAccount, ...errorResponses(401, 404) } } },
    async (request) => {
      const scope = requireScope(request);
      return expand(scope, scope.id);
    },
  );

  app.get(
    '/accounts',
    {
      schema: {
        tags, summary: 'List child accounts, alphabetically', params: params(), querystring: PageQuery,
        response: { 200: Type.Array(Account), ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const page = pageRequest(request.query);
      const rows = await listChildAccounts(db, requireScope(request), page);
      return sendPage(request, reply, page, rows).map(accountView);
    },
  );

  app.post(
    '/accounts',
    {
      schema: {
        tags, summary: 'Create a child account', params: params(), body: CreateAccountBody,
        response: { 201: ExpandedAccount, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const scope = requireScope(request);
      const row = await createAccount(db, scope, request.body, clock());
      reply.code(201);
      return expand(scope, row.id);
    },
  );

  app.get(
    '/accounts/:id',
    { schema: { tags, summary: 'Retrieve an account', params: params(IdParams), response: { 200: ExpandedAccount, ...errorResponses(400, 401, 404) } } },
    async (request) => expand(requireScope(request), request.params.id),
  );

  app.patch(
    '/accounts/:id',
    {
      schema: {
        tags, summary: 'Update an account', params: params(IdParams), body: UpdateAccountBody,
        response: { 200: ExpandedAccount, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const scope = requireScope(request);
      return expand(scope, (await updateAccount(db, scope, request.params.id, request.body)).id);
    },
  );

  for (const [action, status] of [['activate', 'active'], ['deactivate', 'inactive']] as const) {
    app.post(
      `/accounts/:id/${action}`,
      {
        schema: {
          tags, summary: `${action === 'activate' ? 'Activate' : 'Deactivate'} an account`, params: params(IdParams),
          response: { 200: ExpandedAccount, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request) =>
        expand(
          requireScope(request),
          (await setAccountStatus(db, requirePrincipal(request), requireScope(request), request.params.id, status, clock())).id,
        ),
    );
  }
};
