// Routes outside /v1 that need no key: "forgot password" and one-click unsubscribe (RFC 8058).
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import { errorResponses } from '../http/schemas.ts';
import { InvalidInput } from '../domain/errors.ts';
import type { Clock } from '../http/scope.ts';
import { outboundKeys } from '../outbound/keys.ts';
import { mailQueue } from '../outbound/run-outbound.ts';
import { publicBaseUrl } from '../ledger/public-url.ts';
import { requestPasswordReset } from './password-reset.ts';
import { setPreferences } from './preferences.ts';
import { readUnsubscribeToken } from './unsubscribe-links.ts';

export interface PublicMailRoutesOptions {
  db: Database;
  config: Config;
  clock: Clock;
}

const WHAT = { certificates: 'certificate emails', health_alerts: 'health alerts' } as const;

function page(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head>
<body style="font-family:Helvetica,Arial,sans-serif;max-width:480px;margin:40px auto;padding:0 16px;color:#222"><h1 style="color:#1f5f3a;font-size:22px">${title}</h1>${body}</body></html>`;
}

export const publicMailRoutes: FastifyPluginAsyncTypebox<PublicMailRoutesOptions> = async (app: FastifyInstance, { db, config, clock }) => {
  const typed = app.withTypeProvider<import('@fastify/type-provider-typebox').TypeBoxTypeProvider>();
  // Mail clients send the one-click POST form-encoded (List-Unsubscribe=One-Click); its content is not needed.
  typed.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, _body, done) => done(null, {}));

  typed.post(
    '/auth/password-reset',
    {
      schema: {
        tags: ['Dashboard sign-in'], summary: 'Email a one-time link to reset the password; the answer is the same whether the address is known or not', security: [],
        body: Type.Object({ email: Type.String({ minLength: 1, maxLength: 320 }) }),
        response: { 202: Type.Object({ message: Type.String() }), ...errorResponses(400) },
      },
    },
    async (request, reply) => {
      await requestPasswordReset(db, mailQueue(config, publicBaseUrl(config, request)), request.body.email, request.ip, clock());
      reply.code(202);
      return { message: 'If a user signs in with this address, a link to reset the password is on its way. It works once, for 72 hours.' };
    },
  );

  const Query = Type.Object({ token: Type.String({ minLength: 1, maxLength: 300 }) });
  const htmlPage = { 'text/html': { schema: Type.String() } };
  const html = { 200: { description: 'HTML page', content: htmlPage }, ...errorResponses(400) };
  // Errors keep the API's {code, error} shape, here too.
  const target = (token: string) => {
    const read = readUnsubscribeToken(outboundKeys(config).unsubscribeKey, token);
    if (!read) throw new InvalidInput('token', 'is not an unsubscribe link of this server (choose what you receive in the dashboard\'s notification settings)');
    return read;
  };
  typed.get(
    '/unsubscribe',
    { schema: { tags: ['Email'], summary: 'The page an unsubscribe link opens (a button confirms; opening it changes nothing)', security: [], querystring: Query, response: html } },
    async (request, reply) => {
      const { category } = target(request.query.token);
      reply.header('content-type', 'text/html; charset=utf-8').header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'");
      return page('Stop these emails?', `<p>You will no longer receive ${WHAT[category]} from Canopy.</p>
<form method="post"><button type="submit" style="padding:10px 16px">Unsubscribe</button></form>`);
    },
  );
  typed.post(
    '/unsubscribe',
    { schema: { tags: ['Email'], summary: 'One-click unsubscribe (List-Unsubscribe-Post): turns that kind of email off for the user', security: [], querystring: Query, response: html } },
    async (request, reply) => {
      const { userId, category } = target(request.query.token);
      await setPreferences(db, userId, { [category]: false }, clock());
      reply.header('content-type', 'text/html; charset=utf-8').header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'");
      return page('Unsubscribed', `<p>You will no longer receive ${WHAT[category]}. You can turn them on again in the dashboard's notification settings.</p>`);
    },
  );
};
