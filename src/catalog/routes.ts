// /paper/types, /forestry/projects and /projects (the account's selection) routes.
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireScope } from '../http/auth.ts';
import { pageRequest, sendPage } from '../http/pagination.ts';
import { Deleted, IdParams, PageQuery, errorResponses } from '../http/schemas.ts';
import type { RouteDeps } from '../http/scope.ts';
import * as paperTypes from './paper-types.ts';
import * as projects from './projects.ts';
import { CreatePaperTypeBody, ForestryProject, PaperType } from './schema.ts';

export const paperTypeRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, clock, params }) => {
  const tags = ['Paper types'];
  app.get(
    '/paper/types',
    {
      schema: {
        tags, summary: 'List paper types: the defaults in catalog order, then the account\'s own by name',
        params: params(), querystring: PageQuery, response: { 200: Type.Array(PaperType), ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const page = pageRequest(request.query);
      return sendPage(request, reply, page, await paperTypes.listPaperTypes(db, requireScope(request), page));
    },
  );
  app.get(
    '/paper/types/:id',
    { schema: { tags, summary: 'Retrieve a paper type', params: params(IdParams), response: { 200: PaperType, ...errorResponses(400, 401, 404) } } },
    async (request) => paperTypes.getPaperType(db, requireScope(request), request.params.id),
  );
  app.post(
    '/paper/types',
    {
      schema: {
        tags, summary: 'Create a custom paper type, visible to this account only', params: params(), body: CreatePaperTypeBody,
        response: { 201: PaperType, ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      reply.code(201);
      return paperTypes.createPaperType(db, requireScope(request), request.body, clock());
    },
  );
  app.delete(
    '/paper/types/:id',
    {
      schema: {
        tags, summary: 'Delete a custom paper type (own, and not used by a quote or deposit)', params: params(IdParams),
        response: { 200: Deleted, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      await paperTypes.deletePaperType(db, requireScope(request), request.params.id);
      return { id: request.params.id, deleted: true };
    },
  );
};

export const projectRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, clock, params }) => {
  const catalogTags = ['Forestry projects'];
  app.get(
    '/forestry/projects',
    {
      schema: {
        tags: catalogTags, summary: 'List forestry projects, in the order they were created', params: params(), querystring: PageQuery,
        response: { 200: Type.Array(ForestryProject), ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      requireScope(request);
      const page = pageRequest(request.query);
      return sendPage(request, reply, page, await projects.listForestryProjects(db, page));
    },
  );
  app.get(
    '/forestry/projects/:id',
    {
      schema: {
        tags: catalogTags, summary: 'Retrieve a forestry project', params: params(IdParams),
        response: { 200: ForestryProject, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      requireScope(request);
      return projects.getForestryProject(db, request.params.id);
    },
  );

  const tags = ['Projects'];
  app.get(
    '/projects',
    {
      schema: {
        tags, summary: 'List the account\'s selected projects, in the order they were selected', params: params(), querystring: PageQuery,
        response: { 200: Type.Array(ForestryProject), ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const page = pageRequest(request.query);
      return sendPage(request, reply, page, await projects.listSelectedProjects(db, requireScope(request), page));
    },
  );
  app.post(
    '/projects/:id',
    {
      schema: {
        tags,
        summary: 'Select a project (idempotent); returns the updated selection',
        description:
          'Certificates go to the first selected project that is active, else to the default project. A complete project may be selected but receives no trees.',
        params: params(IdParams),
        response: { 200: Type.Array(ForestryProject), ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => projects.selectProject(db, requireScope(request), request.params.id, clock()),
  );
  app.delete(
    '/projects/:id',
    {
      schema: {
        tags, summary: 'Remove a project from the selection; returns the updated selection', params: params(IdParams),
        response: { 200: Type.Array(ForestryProject), ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => projects.deselectProject(db, requireScope(request), request.params.id),
  );
};
