// /outbox (the emails Canopy made), /users/:id/notification-settings and /email-branding.
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireScope } from '../http/auth.ts';
import { pageRequest, sendPage } from '../http/pagination.ts';
import { IdParams, NullableString, NullableTimestamp, PageQuery, StringEnum, Timestamp, Uuid, errorResponses, orNull } from '../http/schemas.ts';
import type { RouteDeps } from '../http/scope.ts';
import { isoTimestamp } from '../http/wire.ts';
import { effectiveBranding, ownBranding, setBranding } from './branding.ts';
import { getOutboxMessage, listOutbox, queueOutbox, type OutboxRow } from './outbox-service.ts';
import { getPreferences, updatePreferences } from './preferences.ts';

const STATUSES = ['outbox', 'queued', 'sending', 'sent', 'failed'] as const;
const Message = Type.Object({
  id: Uuid,
  kind: StringEnum(['certificate', 'health_alert', 'invitation', 'password_reset', 'webhook_disabled'] as const),
  account_id: Uuid,
  to: Type.String(),
  subject: Type.String(),
  text: Type.Union([Type.String(), Type.Null()], { description: 'the plain-text body; null for messages that carry a one-time link (never shown)' }),
  status: StringEnum(STATUSES, { description: 'outbox: kept (no SMTP); queued/sending: on its way; sent; failed: given up (see last_error)' }),
  attempts: Type.Integer(),
  last_error: NullableString,
  created_at: Timestamp,
  sent_at: NullableTimestamp,
});
const messageView = (m: OutboxRow) => ({
  id: m.id, kind: m.kind, account_id: m.account_id, to: m.to_address, subject: m.subject, text: m.text_body, status: m.status,
  attempts: m.attempts, last_error: m.last_error, created_at: isoTimestamp(m.created_at), sent_at: isoTimestamp(m.sent_at),
});
const Preferences = Type.Object({
  user_id: Uuid,
  certificates: Type.Boolean({ description: 'certificate emails after each month close or transaction' }),
  health_alerts: Type.Boolean({ description: 'alerts when servers or feeds turn unhealthy or offline, and recover' }),
});
const Branding = Type.Object({
  sender_name: Type.Union([Type.String(), Type.Null()], { description: 'the account\'s own sender name; null: none set here' }),
  line: NullableString,
  effective: Type.Union([Type.Object({ account_id: Uuid, sender_name: Type.String(), line: NullableString }), Type.Null()], {
    description: 'what applies to the account: its own setting or the nearest ancestor\'s',
  }),
});

export const notificationRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, config, clock, params }) => {
  const tags = ['Email'];
  app.get(
    '/outbox',
    {
      schema: {
        tags, summary: 'Emails made for the account and its descendants, newest first (with no SMTP configured they stay here)', params: params(),
        querystring: Type.Object({ ...PageQuery.properties, status: Type.Optional(StringEnum(STATUSES)) }),
        response: { 200: Type.Array(Message), ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const page = pageRequest(request.query);
      return sendPage(request, reply, page, await listOutbox(db, requireScope(request), request.query.status, page)).map(messageView);
    },
  );
  app.get(
    '/outbox/:id',
    { schema: { tags, summary: 'Retrieve an email with its text', params: params(IdParams), response: { 200: Message, ...errorResponses(400, 401, 404) } } },
    async (request) => messageView(await getOutboxMessage(db, requireScope(request), request.params.id)),
  );
  app.post(
    '/outbox/:id/send',
    { schema: { tags, summary: 'Send a message kept in the outbox (or given up) over SMTP; 409 when none is configured', params: params(IdParams), response: { 200: Type.Object({ queued: Type.Integer() }), ...errorResponses(400, 401, 404, 409) } } },
    async (request) => ({ queued: await queueOutbox(db, requireScope(request), config.outbound.smtpUrl !== null, clock(), request.params.id) }),
  );
  app.post(
    '/outbox/send',
    { schema: { tags, summary: 'Send every message of the account\'s outbox (and its descendants\') over SMTP; 409 when none is configured', params: params(), response: { 200: Type.Object({ queued: Type.Integer() }), ...errorResponses(400, 401, 404, 409) } } },
    async (request) => ({ queued: await queueOutbox(db, requireScope(request), config.outbound.smtpUrl !== null, clock()) }),
  );
  app.get(
    '/users/:id/notification-settings',
    { schema: { tags, summary: 'What the user receives by email', params: params(IdParams), response: { 200: Preferences, ...errorResponses(400, 401, 404) } } },
    async (request) => getPreferences(db, requireScope(request), request.params.id),
  );
  app.put(
    '/users/:id/notification-settings',
    {
      schema: {
        tags, summary: 'Choose what the user receives by email (fields left out are unchanged)', params: params(IdParams),
        body: Type.Object({ certificates: Type.Optional(Type.Boolean()), health_alerts: Type.Optional(Type.Boolean()) }),
        response: { 200: Preferences, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => updatePreferences(db, requireScope(request), request.params.id, request.body, clock()),
  );
  const brandingView = async (account: ReturnType<typeof requireScope>) => {
    const own = await ownBranding(db, account);
    return { ...own, effective: await effectiveBranding(db, account.id) };
  };
  app.get(
    '/email-branding',
    { schema: { tags, summary: 'The sender name and line on the subtree\'s certificate emails, pages and PDFs', params: params(), response: { 200: Branding, ...errorResponses(400, 401, 404) } } },
    async (request) => brandingView(requireScope(request)),
  );
  app.put(
    '/email-branding',
    {
      schema: {
        tags, summary: 'Set the account\'s sender name and line (null sender_name removes them); descendants inherit the nearest one', params: params(),
        body: Type.Object({ sender_name: orNull(Type.String({ maxLength: 80 })), line: Type.Optional(orNull(Type.String({ maxLength: 200 }))) }),
        response: { 200: Branding, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const account = requireScope(request);
      await setBranding(db, account, request.body, clock());
      return brandingView(account);
    },
  );
};
