// Authenticates /v1 requests by API key (Basic key: or Bearer key) and resolves the account scope.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Database } from '../db/database.ts';
import { principalForKey, type AccountRef, type Principal } from '../keys/api-keys.ts';
import { InvalidInput, NotFound } from '../domain/errors.ts';

import { Unauthorized } from './errors.ts';
import { isUuid } from '../domain/ids.ts';
import { readCookie, SESSION_COOKIE } from '../sessions/cookies.ts';
import { principalForSession } from '../sessions/sessions.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    /** The account a /v1 route acts on: the key's own, or :account_id when it is a descendant. */
    scope: AccountRef | null;
  }
}

export function keyFromAuthorization(header: string | undefined): string | null {
  if (!header) return null;
  const [scheme, value] = header.trim().split(/\s+/, 2);
  if (!value) return null;
  if (/^bearer$/i.test(scheme)) return value;
  if (/^basic$/i.test(scheme)) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = colon === -1 ? decoded : decoded.slice(0, colon);
    return user || null;
  }
  return null;
}

/** Finds an account inside the principal's subtree; anything outside is reported as absent. */
export async function accountInScope(db: Database, principal: Principal, accountId: string): Promise<AccountRef> {
  const rows = await db.query<AccountRef>(
    `SELECT id, name, role, path, status FROM accounts WHERE id = $1 AND path LIKE $2`,
    [accountId, `${principal.account.path}%`],
  );
  if (rows.length === 0) throw new NotFound('Account');
  return rows[0];
}

export function requireScope(request: FastifyRequest): AccountRef {
  if (!request.scope) throw new Unauthorized('API key required');
  return request.scope;
}

export function requirePrincipal(request: FastifyRequest): Principal {
  if (!request.principal) throw new Unauthorized('API key required');
  return request.principal;
}

/** Registered inside the /v1 context: every route there needs a key. */
export const authPlugin = fp(async (app: FastifyInstance, opts: { db: Database; clock?: () => Date }) => {
  app.decorateRequest('principal', null);
  app.decorateRequest('scope', null);
  app.addHook('onRequest', async (request) => {
    const key = keyFromAuthorization(request.headers.authorization);
    // No Authorization header: the dashboard's session cookie stands for its user's account, like a key
    // of that account (writes need the session's X-CSRF-Token).
    const sessionToken = request.headers.authorization ? null : readCookie(request.headers.cookie, SESSION_COOKIE);
    if (sessionToken) {
      const csrfHeader = request.headers['x-csrf-token'];
      request.principal = await principalForSession(
        opts.db, sessionToken, { method: request.method, csrfHeader: Array.isArray(csrfHeader) ? csrfHeader[0] : csrfHeader },
        opts.clock?.() ?? new Date(),
      );
      return;
    }
    if (!key) {
      throw new Unauthorized('API key required: send Authorization: Basic base64(<key>:) or Authorization: Bearer <key>');
    }
    const principal = await principalForKey(opts.db, key);
    if (!principal) throw new Unauthorized('API key is invalid or revoked');
    request.principal = principal;
  });
  // Before body validation: an account outside the key's subtree is 404 whatever the body says.
  app.addHook('preValidation', async (request) => {
    const principal = request.principal;
    if (!principal) return;
    const accountId = (request.params as { account_id?: string } | undefined)?.account_id;
    if (accountId !== undefined && !isUuid(accountId)) throw new InvalidInput('account_id', 'must be a UUID');
    request.scope = accountId ? await accountInScope(opts.db, principal, accountId) : principal.account;
  });
});
