// /webhook-endpoints and /webhook-deliveries: endpoints, their secrets (shown once), delivery log and resend.
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireScope } from '../http/auth.ts';
import { pageRequest, sendPage } from '../http/pagination.ts';
import { Deleted, IdParams, NullableString, NullableTimestamp, PageQuery, StringEnum, Timestamp, Uuid, errorResponses, orNull } from '../http/schemas.ts';
import type { RouteDeps } from '../http/scope.ts';
import { isoTimestamp } from '../http/wire.ts';
import { EVENT_TYPES } from '../outbound/event-types.ts';
import { outboundKeys } from '../outbound/keys.ts';
import { refuseIdempotencyKey } from '../sessions/secret-response.ts';
import { getDelivery, listDeliveries, resendDelivery, type DeliveryRow } from './deliveries-service.ts';
import * as endpoints from './endpoints-service.ts';

const EventName = StringEnum(EVENT_TYPES, { description: 'an event type' });
const Url = Type.String({ minLength: 1, maxLength: 2000, description: 'https URL that receives the events (private and loopback addresses refused)' });

const Endpoint = Type.Object({
  id: Uuid,
  account_id: Uuid,
  url: Type.String(),
  description: NullableString,
  events: Type.Array(Type.String()),
  status: StringEnum(['enabled', 'disabled'] as const),
  failing_since: NullableTimestamp,
  disabled_at: NullableTimestamp,
  disabled_reason: NullableString,
  previous_secret_valid_until: Type.Union([Timestamp, Type.Null()], { description: 'after a rotation, the old secret still signs until then' }),
  created_at: Timestamp,
});
const EndpointWithSecret = Type.Object({
  ...Endpoint.properties,
  secret: Type.String({ description: 'the signing secret (whsec_…): shown in this response only' }),
});
const Attempt = Type.Object({ attempted_at: Timestamp, response_status: Type.Union([Type.Integer(), Type.Null()]), duration_ms: Type.Integer(), error: NullableString });
const Delivery = Type.Object({
  id: Uuid, endpoint_id: Uuid, event_id: Uuid, event_type: Type.String(),
  status: StringEnum(['pending', 'delivering', 'succeeded', 'failed'] as const),
  attempts: Type.Integer(), response_status: Type.Union([Type.Integer(), Type.Null()]), duration_ms: Type.Union([Type.Integer(), Type.Null()]),
  last_error: NullableString, last_attempt_at: NullableTimestamp, next_attempt_at: NullableTimestamp, delivered_at: NullableTimestamp,
  created_at: Timestamp, attempts_log: Type.Array(Attempt),
});

const endpointView = (e: endpoints.EndpointRow) => ({
  id: e.id, account_id: e.account_id, url: e.url, description: e.description, events: e.events, status: e.status,
  failing_since: isoTimestamp(e.failing_since), disabled_at: isoTimestamp(e.disabled_at), disabled_reason: e.disabled_reason,
  previous_secret_valid_until: isoTimestamp(e.previous_secret_expires_at), created_at: isoTimestamp(e.created_at),
});
const deliveryView = (d: DeliveryRow) => ({
  id: d.id, endpoint_id: d.endpoint_id, event_id: d.event_id, event_type: d.event_type, status: d.status, attempts: d.attempts,
  response_status: d.response_status, duration_ms: d.duration_ms, last_error: d.last_error,
  last_attempt_at: isoTimestamp(d.last_attempt_at), next_attempt_at: isoTimestamp(d.next_attempt_at), delivered_at: isoTimestamp(d.delivered_at),
  created_at: isoTimestamp(d.created_at),
  attempts_log: d.log.map((a) => ({ ...a, attempted_at: isoTimestamp(a.attempted_at) })),
});

export const webhookRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, config, clock, params }) => {
  const tags = ['Webhooks'];
  const deps = () => ({ db, secrets: outboundKeys(config).secrets, allowPrivate: config.collection.allowPrivateUpstreams });
  app.get(
    '/webhook-endpoints',
    { schema: { tags, summary: 'List the account\'s webhook endpoints, newest first', params: params(), querystring: PageQuery, response: { 200: Type.Array(Endpoint), ...errorResponses(400, 401, 404) } } },
    async (request, reply) => {
      const page = pageRequest(request.query);
      return sendPage(request, reply, page, await endpoints.listEndpoints(db, requireScope(request), page)).map(endpointView);
    },
  );
  app.get(
    '/webhook-endpoints/:id',
    { schema: { tags, summary: 'Retrieve a webhook endpoint (never its secret)', params: params(IdParams), response: { 200: Endpoint, ...errorResponses(400, 401, 404) } } },
    async (request) => endpointView(await endpoints.getEndpoint(db, requireScope(request), request.params.id)),
  );
  app.post(
    '/webhook-endpoints',
    {
      preValidation: refuseIdempotencyKey,
      schema: {
        tags, summary: 'Add an endpoint that receives the account\'s (and its descendants\') events, signed per Standard Webhooks; the secret is in this response only',
        params: params(),
        body: Type.Object({
          url: Url,
          events: Type.Array(EventName, { minItems: 1, maxItems: EVENT_TYPES.length * 2 }),
          description: Type.Optional(orNull(Type.String({ maxLength: 200 }))),
        }),
        response: { 201: EndpointWithSecret, ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const created = await endpoints.createEndpoint(deps(), requireScope(request), request.body, clock());
      reply.code(201);
      return { ...endpointView(created), secret: created.secret };
    },
  );
  app.patch(
    '/webhook-endpoints/:id',
    {
      schema: {
        tags, summary: 'Change an endpoint\'s URL, events or description, or enable or disable it', params: params(IdParams),
        body: Type.Object({
          url: Type.Optional(Url),
          events: Type.Optional(Type.Array(EventName, { minItems: 1, maxItems: EVENT_TYPES.length * 2 })),
          description: Type.Optional(orNull(Type.String({ maxLength: 200 }))),
          enabled: Type.Optional(Type.Boolean()),
        }),
        response: { 200: Endpoint, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => endpointView(await endpoints.updateEndpoint(deps(), requireScope(request), request.params.id, request.body)),
  );
  app.delete(
    '/webhook-endpoints/:id',
    { schema: { tags, summary: 'Delete an endpoint and its delivery log', params: params(IdParams), response: { 200: Deleted, ...errorResponses(400, 401, 404) } } },
    async (request) => {
      await endpoints.deleteEndpoint(db, requireScope(request), request.params.id);
      return { id: request.params.id, deleted: true };
    },
  );
  app.post(
    '/webhook-endpoints/:id/rotate-secret',
    {
      preValidation: refuseIdempotencyKey,
      schema: {
        tags, summary: 'A new signing secret (in this response only); the old one keeps signing, as a second signature, for 24 hours',
        params: params(IdParams), response: { 200: EndpointWithSecret, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const rotated = await endpoints.rotateEndpointSecret(deps(), requireScope(request), request.params.id, clock());
      return { ...endpointView(rotated), secret: rotated.secret };
    },
  );
  app.get(
    '/webhook-endpoints/:id/deliveries',
    { schema: { tags, summary: 'The endpoint\'s delivery log, newest first: status, response code, duration and every attempt', params: params(IdParams), querystring: PageQuery, response: { 200: Type.Array(Delivery), ...errorResponses(400, 401, 404) } } },
    async (request, reply) => {
      const page = pageRequest(request.query);
      return sendPage(request, reply, page, await listDeliveries(db, requireScope(request), request.params.id, page)).map(deliveryView);
    },
  );
  app.get(
    '/webhook-deliveries/:id',
    { schema: { tags, summary: 'Retrieve a delivery and its attempts', params: params(IdParams), response: { 200: Delivery, ...errorResponses(400, 401, 404) } } },
    async (request) => deliveryView(await getDelivery(db, requireScope(request), request.params.id)),
  );
  app.post(
    '/webhook-deliveries/:id/resend',
    { schema: { tags, summary: 'Send the event again (same webhook-id) when the outbound job next runs (within a minute)', params: params(IdParams), response: { 200: Delivery, ...errorResponses(400, 401, 404) } } },
    async (request) => deliveryView(await resendDelivery(db, requireScope(request), request.params.id, clock())),
  );
};
