// /keys: an account's API keys (and a descendant's under /accounts/:account_id), like every other capability.
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireScope } from '../http/auth.ts';
import { limitClause, pageRequest, sendPage } from '../http/pagination.ts';
import { IdParams, NullableTimestamp, PageQuery, Timestamp, Uuid, errorResponses, orNull } from '../http/schemas.ts';
import type { RouteDeps } from '../http/scope.ts';
import { isoTimestamp } from '../http/wire.ts';
import { refuseIdempotencyKey } from '../sessions/secret-response.ts';
import { createAccountKey, getAccountKey, listAccountKeys, revokeAccountKey, type KeyRow } from './account-keys.ts';

const ApiKey = Type.Object({
  id: Uuid,
  account_id: Uuid,
  prefix: Type.String({ description: 'the first 8 characters, to recognise the key' }),
  label: Type.Union([Type.String(), Type.Null()]),
  created_at: Timestamp,
  revoked_at: NullableTimestamp,
});
const CreatedApiKey = Type.Object({ ...ApiKey.properties, key: Type.String({ description: 'the key itself: shown in this response only' }) });

const keyView = (k: KeyRow) => ({
  id: k.id, account_id: k.account_id, prefix: k.prefix, label: k.label,
  created_at: isoTimestamp(k.created_at), revoked_at: isoTimestamp(k.revoked_at),
});

export const keyRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, clock, params }) => {
  const tags = ['API keys'];
  app.get(
    '/keys',
    { schema: { tags, summary: 'List the account\'s API keys (active first); never the keys themselves', params: params(), querystring: PageQuery, response: { 200: Type.Array(ApiKey), ...errorResponses(400, 401, 404) } } },
    async (request, reply) => {
      const page = pageRequest(request.query);
      return sendPage(request, reply, page, await listAccountKeys(db, requireScope(request), limitClause(page, 2))).map(keyView);
    },
  );
  app.get(
    '/keys/:id',
    { schema: { tags, summary: 'Retrieve an API key\'s prefix, label and state', params: params(IdParams), response: { 200: ApiKey, ...errorResponses(400, 401, 404) } } },
    async (request) => keyView(await getAccountKey(db, requireScope(request), request.params.id)),
  );
  app.post(
    '/keys',
    {
      preValidation: refuseIdempotencyKey,
      schema: {
        tags, summary: 'Create an API key for the account (the key is in this response only; Idempotency-Key is refused)', params: params(),
        body: Type.Object({ label: Type.Optional(orNull(Type.String({ maxLength: 200 }))) }),
        response: { 201: CreatedApiKey, ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const created = await createAccountKey(db, requireScope(request), request.body.label ?? null);
      reply.code(201);
      return { ...keyView(created), key: created.key };
    },
  );
  app.delete(
    '/keys/:id',
    { schema: { tags, summary: 'Revoke an API key (it stops working at once)', params: params(IdParams), response: { 200: ApiKey, ...errorResponses(400, 401, 404) } } },
    async (request) => keyView(await revokeAccountKey(db, requireScope(request), request.params.id, clock())),
  );
};
