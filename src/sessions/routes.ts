// Sign-in for the dashboard under /auth (outside /v1), and POST /v1/users/:id/password-link.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import { Forbidden } from '../domain/errors.ts';
import { Unauthorized } from '../http/errors.ts';
import { requireScope } from '../http/auth.ts';
import { IdParams, Timestamp, Uuid, errorResponses } from '../http/schemas.ts';
import type { Clock, RouteDeps } from '../http/scope.ts';
import { isoTimestamp } from '../http/wire.ts';
import { publicBaseUrl } from '../ledger/public-url.ts';
import { clearedSessionCookie, readCookie, SESSION_COOKIE, sessionCookie } from './cookies.ts';
import { createPasswordLink, describeLink, passwordLinkPath, setPasswordWithLink } from './password-links.ts';
import { MAX_PASSWORD_LENGTH } from './passwords.ts';
import { refuseIdempotencyKey } from './secret-response.ts';
import { chooseAccount, endSession, findSession, openSession, sessionAccounts, sessionWithCsrf, signIn } from './sessions.ts';
import { emailInvitationIfSmtp } from '../notifications/password-link-email.ts';

export interface SessionRoutesOptions {
  db: Database;
  config: Config;
  clock: Clock;
}

const SessionAccount = Type.Object({ id: Uuid, name: Type.String(), role: Type.String(), status: Type.String() });
const SessionView = Type.Object({
  user: Type.Object({ id: Uuid, email: Type.String(), name: Type.Union([Type.String(), Type.Null()]) }),
  account: SessionAccount,
  accounts: Type.Array(SessionAccount, { description: 'every account this sign-in opened (the email and password of a user in each); choose with POST /auth/session/account' }),
  account_chosen: Type.Boolean({ description: 'false while a sign-in that opened several accounts waits for the choice; /v1 answers 403 until then' }),
  csrf_token: Type.String({ description: 'send as X-CSRF-Token on every write made with the session cookie' }),
  expires_at: Timestamp,
  co2_grams_per_page: Type.Number({ description: 'CO2-equivalent per standard page the dashboard shows (CANOPY_CO2_GRAMS_PER_PAGE)' }),
});

const Password = Type.String({ minLength: 1, maxLength: MAX_PASSWORD_LENGTH });

function originHost(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

/** Everything the dashboard's sign-in needs, mounted at the root. */
export const sessionsPlugin = fp(async (app: FastifyInstance, opts: SessionRoutesOptions) => {
  // A 401 carries WWW-Authenticate: Basic for API clients; the dashboard's own calls (marked with
  // X-Canopy-UI) must not make the browser pop up its password dialog over the sign-in page.
  app.addHook('onSend', async (request, reply) => {
    if (request.headers['x-canopy-ui'] !== undefined) reply.removeHeader('www-authenticate');
  });
  await app.register(sessionRoutes, opts);
});

const sessionRoutes: FastifyPluginAsyncTypebox<SessionRoutesOptions> = async (app, { db, config, clock }) => {
  const tags = ['Dashboard sign-in'];

  // Login CSRF: a form on another site must not sign the browser in (or out) as someone else.
  app.addHook('onRequest', async (request) => {
    if (request.method !== 'POST') return;
    const origin = request.headers.origin;
    if (origin !== undefined && originHost(origin) !== request.host) {
      throw new Forbidden('sign-in requests must come from this server\'s own pages (Origin does not match Host)');
    }
  });

  const sessionView = async (token: string) => {
    const session = await findSession(db, token, clock());
    if (!session) throw new Unauthorized('not signed in');
    return {
      user: session.user,
      account: { id: session.account.id, name: session.account.name, role: session.account.role, status: session.account.status },
      accounts: await sessionAccounts(db, session.id),
      account_chosen: session.accountChosen,
      csrf_token: session.csrfToken,
      expires_at: isoTimestamp(session.expiresAt),
      co2_grams_per_page: config.co2GramsPerPage,
    };
  };

  app.get(
    '/auth/session',
    {
      schema: {
        tags, summary: 'The signed-in user, account and CSRF token; 204 when not signed in', security: [],
        response: { 200: SessionView, 204: Type.Null({ description: 'not signed in' }) },
      },
    },
    // 204 rather than 401 when signed out: asking is not an error, and the browser logs none.
    async (request, reply) => {
      const token = readCookie(request.headers.cookie, SESSION_COOKIE);
      const session = token ? await findSession(db, token, clock()) : null;
      if (!token || !session) return reply.code(204).send(null);
      return sessionView(token);
    },
  );

  app.post(
    '/auth/sign-in',
    {
      schema: {
        tags, summary: 'Sign in with email and password (sets the session cookie)', security: [],
        body: Type.Object({ email: Type.String({ minLength: 1, maxLength: 320 }), password: Password }),
        response: { 200: SessionView, ...errorResponses(400, 401, 429) },
      },
    },
    async (request, reply) => {
      const signedIn = await signIn(db, request.body.email, request.body.password, clock(), request.ip);
      reply.header('set-cookie', sessionCookie(signedIn.token, signedIn.expiresAt));
      return sessionView(signedIn.token);
    },
  );

  app.post(
    '/auth/session/account',
    {
      schema: {
        tags, summary: 'Act for another account this sign-in opened (needs X-CSRF-Token)', security: [],
        body: Type.Object({ account_id: Uuid }),
        response: { 200: SessionView, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const token = readCookie(request.headers.cookie, SESSION_COOKIE);
      if (!token) throw new Unauthorized('not signed in');
      const session = await sessionWithCsrf(db, token, { method: 'POST', csrfHeader: request.headers['x-csrf-token'] as string | undefined }, clock());
      await chooseAccount(db, session.id, request.body.account_id);
      return sessionView(token);
    },
  );

  app.post(
    '/auth/sign-out',
    { schema: { tags, summary: 'End the session (needs X-CSRF-Token)', security: [], response: { 204: Type.Null(), ...errorResponses(401, 403) } } },
    async (request, reply) => {
      const token = readCookie(request.headers.cookie, SESSION_COOKIE);
      if (token) {
        const session = await sessionWithCsrf(db, token, { method: 'POST', csrfHeader: request.headers['x-csrf-token'] as string | undefined }, clock());
        await endSession(db, session.id, clock());
      }
      reply.header('set-cookie', clearedSessionCookie());
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/auth/password-links/:token',
    {
      config: { secretParams: ['token'] },
      schema: {
        tags, summary: 'What a set-password link is for (email, account) while it is valid', security: [],
        params: Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) }),
        response: { 200: Type.Object({ email: Type.String(), account_name: Type.String(), expires_at: Timestamp }), ...errorResponses(404, 409) },
      },
    },
    async (request) => {
      const link = await describeLink(db, request.params.token, clock());
      return { ...link, expires_at: isoTimestamp(link.expires_at) };
    },
  );

  app.post(
    '/auth/password',
    {
      schema: {
        tags, summary: 'Set the password with a one-time link, and sign in', security: [],
        body: Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }), password: Password }),
        response: { 200: SessionView, ...errorResponses(400, 404, 409) },
      },
    },
    async (request, reply) => {
      // Signed in as the link's user only: the link names one account, whatever else the email opens.
      const user = await setPasswordWithLink(db, request.body.token, request.body.password, clock());
      const signedIn = await openSession(db, [user], clock());
      reply.header('set-cookie', sessionCookie(signedIn.token, signedIn.expiresAt));
      return sessionView(signedIn.token);
    },
  );
};

const PasswordLinkView = Type.Object({
  user_id: Uuid,
  email: Type.String(),
  url: Type.String({ description: 'one-time link to set the password; shown once' }),
  expires_at: Timestamp,
});

/** /v1 capability: a user's set-password link, made by anyone who may manage that account's users. */
export const passwordLinkRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, config, clock, params }) => {
  app.post(
    '/users/:id/password-link',
    {
      preValidation: refuseIdempotencyKey,
      schema: {
        tags: ['Users'], summary: 'Make a one-time link for the user to set a password (earlier links stop working)',
        params: params(IdParams), response: { 201: PasswordLinkView, ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const link = await createPasswordLink(db, requireScope(request), request.params.id, clock());
      await emailInvitationIfSmtp(db, config, link, requireScope(request), clock(), publicBaseUrl(config, request));
      reply.code(201);
      return {
        user_id: link.userId, email: link.email,
        url: `${publicBaseUrl(config, request)}${passwordLinkPath(link.token)}`,
        expires_at: isoTimestamp(link.expiresAt),
      };
    },
  );
};
