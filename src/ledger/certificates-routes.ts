// /certificates routes (JSON), in the default scope and under /accounts/:account_id.
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireScope } from '../http/auth.ts';
import { pageRequest, sendPage } from '../http/pagination.ts';
import { IdParams, errorResponses } from '../http/schemas.ts';
import type { RouteDeps } from '../http/scope.ts';
import { getCertificate, listCertificates } from './certificates-service.ts';
import { dayRange } from './date-range.ts';
import { publicBaseUrl } from './public-url.ts';
import { Certificate, DateRangeQuery } from './schema.ts';
import { certificateView } from './views.ts';

export const certificateRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, config, params }) => {
  const tags = ['Certificates'];

  app.get(
    '/certificates',
    {
      schema: {
        tags, summary: 'List certificates, reverse-chronologically by date', params: params(), querystring: DateRangeQuery,
        response: { 200: Type.Array(Certificate), ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const page = pageRequest(request.query);
      const rows = await listCertificates(db, requireScope(request), dayRange(request.query), page);
      const base = publicBaseUrl(config, request);
      return sendPage(request, reply, page, rows).map((row) => certificateView(row, base));
    },
  );

  app.get(
    '/certificates/:id',
    {
      schema: {
        tags, summary: 'Retrieve a certificate with its forestry project', params: params(IdParams),
        response: { 200: Certificate, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => certificateView(await getCertificate(db, requireScope(request), request.params.id), publicBaseUrl(config, request)),
  );
};
