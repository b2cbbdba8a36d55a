// /volume: monthly page and tree buckets of the account and its descendants.
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireScope } from '../http/auth.ts';
import { errorResponses } from '../http/schemas.ts';
import type { RouteDeps } from '../http/scope.ts';
import { VolumePeriod, VolumeQuery } from './schema.ts';
import { monthlyVolume } from './volume-service.ts';
import { volumeView } from './views.ts';

export const volumeRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, clock, params }) => {
  app.get(
    '/volume',
    {
      schema: {
        tags: ['Volume'],
        summary: 'Volume history by month, chronologically',
        description:
          'One bucket per UTC month from the month containing start_date (default: the first month with pages) to the month ' +
          'containing end_date (default: the current month); months without pages are included with zeros. Counts the ' +
          'account and its descendants: deposits and direct transactions.',
        params: params(), querystring: VolumeQuery,
        response: { 200: Type.Array(VolumePeriod), ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const scope = requireScope(request);
      const buckets = await monthlyVolume(db, scope.id, request.query, clock());
      return buckets.map((bucket) => volumeView(scope.id, bucket));
    },
  );
};
