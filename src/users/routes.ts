// /users and /invitations routes.
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireScope } from '../http/auth.ts';
import { pageRequest, sendPage } from '../http/pagination.ts';
import { Deleted, IdParams, NullableString, PageQuery, Timestamp, Uuid, errorResponses, orNull } from '../http/schemas.ts';
import type { RouteDeps } from '../http/scope.ts';
import { isoTimestamp } from '../http/wire.ts';
import * as users from './service.ts';

const Email = Type.String({ format: 'email', maxLength: 320 });

const User = Type.Object(
  { id: Uuid, account_id: Uuid, name: NullableString, email: Type.String(), locale: Type.String(), created_at: Timestamp },
);
const Invitation = Type.Object({ id: Uuid, account_id: Uuid, email: Type.String(), created_at: Timestamp });

const userView = (u: users.UserRow) => ({ ...u, created_at: isoTimestamp(u.created_at) });
const invitationView = (i: users.InvitationRow) => ({ ...i, created_at: isoTimestamp(i.created_at) });

export const userRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, clock, params }) => {
  const tags = ['Users'];
  app.get(
    '/users',
    { schema: { tags, summary: 'List users, by name', params: params(), querystring: PageQuery, response: { 200: Type.Array(User), ...errorResponses(400, 401, 404) } } },
    async (request, reply) => {
      const page = pageRequest(request.query);
      return sendPage(request, reply, page, await users.listUsers(db, requireScope(request), page)).map(userView);
    },
  );
  app.get(
    '/users/:id',
    { schema: { tags, summary: 'Retrieve a user', params: params(IdParams), response: { 200: User, ...errorResponses(400, 401, 404) } } },
    async (request) => userView(await users.getUser(db, requireScope(request), request.params.id)),
  );
  app.post(
    '/users',
    {
      schema: {
        tags, summary: 'Create a user', params: params(),
        body: Type.Object({
          email: Email,
          name: Type.Optional(orNull(Type.String({ maxLength: 200 }))),
          locale: Type.Optional(Type.String({ pattern: '^[a-z]{2}(-[A-Za-z]{2,4})?$', default: 'en' })),
        }),
        response: { 201: User, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      reply.code(201);
      return userView(await users.createUser(db, requireScope(request), request.body, clock()));
    },
  );
  app.delete(
    '/users/:id',
    { schema: { tags, summary: 'Delete a user', params: params(IdParams), response: { 200: Deleted, ...errorResponses(400, 401, 404) } } },
    async (request) => {
      await users.deleteUser(db, requireScope(request), request.params.id);
      return { id: request.params.id, deleted: true };
    },
  );

  const itags = ['Invitations'];
  app.get(
    '/invitations',
    { schema: { tags: itags, summary: 'List invitations', params: params(), querystring: PageQuery, response: { 200: Type.Array(Invitation), ...errorResponses(400, 401, 404) } } },
    async (request, reply) => {
      const page = pageRequest(request.query);
      return sendPage(request, reply, page, await users.listInvitations(db, requireScope(request), page)).map(invitationView);
    },
  );
  app.get(
    '/invitations/:id',
    { schema: { tags: itags, summary: 'Retrieve an invitation', params: params(IdParams), response: { 200: Invitation, ...errorResponses(400, 401, 404) } } },
    async (request) => invitationView(await users.getInvitation(db, requireScope(request), request.params.id)),
  );
  app.post(
    '/invitations',
    {
      schema: {
        tags: itags, summary: 'Invite a user by email', params: params(), body: Type.Object({ email: Email }),
        response: { 201: Invitation, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      reply.code(201);
      return invitationView(await users.createInvitation(db, requireScope(request), request.body.email, clock()));
    },
  );
  app.delete(
    '/invitations/:id',
    { schema: { tags: itags, summary: 'Delete an invitation', params: params(IdParams), response: { 200: Deleted, ...errorResponses(400, 401, 404) } } },
    async (request) => {
      await users.deleteInvitation(db, requireScope(request), request.params.id);
      return { id: request.params.id, deleted: true };
    },
  );
};
