// /certificates routes (JSON), in the default scope and under /accounts/:account_id.
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireScope } from '../http/auth.ts';
import { pageRequest, sendPage } from '../http/pagination.ts';
import { IdParams, errorResponses } from '../http/schemas.ts';
import type { RouteDeps } from '../http/scope.ts';
import { getCertificate, listCertificates, listSubtreeCertificates } from './certificates-service.ts';
import { dayRange } from './date-range.ts';
import { publicBaseUrl } from './public-url.ts';
import { Certificate, CertificateListQuery } from './schema.ts';
import { certificateView } from './views.ts';

export const certificateRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, config, params }) => {
  const tags = ['Certificates'];

  app.get(
    '/certificates',
    {
      schema: {
        tags, summary: 'List certificates, reverse-chronologically by date', params: params(), querystring: CertificateListQuery,
        description: 'The account’s own certificates; with include_descendants=true also those of every account below it, each with account_name.',
        response: { 200: Type.Array(Certificate), ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const page = pageRequest(request.query);
      const scope = requireScope(request);
      const base = publicBaseUrl(config, request);
      if (request.query.include_descendants === true) {
        const rows = await listSubtreeCertificates(db, scope, dayRange(request.query), page);
        return sendPage(request, reply, page, rows).map((row) => ({ ...certificateView(row, base), account_name: row.account_name }));
      }
      const rows = await listCertificates(db, scope, dayRange(request.query), page);
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
