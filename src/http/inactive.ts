// The inactive rule: an inactive account's keys and sessions (and those of every account below an
// inactive one) may read but not write. Checked on the resolved principal, so API keys, session cookies
// and any later way of signing in obey it alike, on every /v1 route.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Type } from 'typebox';
import { pathIds } from '../accounts/figures.ts';
import type { Database } from '../db/database.ts';
import { Forbidden } from '../domain/errors.ts';
import type { AccountRef } from '../keys/api-keys.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A write an inactive account may still make (e.g. ending its own session). */
    allowInactive?: boolean;
  }
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The nearest inactive account on the path from the root to `account` (itself included), or null. */
export async function inactiveAccountOver(db: Database, account: AccountRef): Promise<{ id: string; name: string } | null> {
  // Read now, not from the principal (keys are cached for a few seconds): (de)activation counts at once.
  const rows = await db.query<{ id: string; name: string }>(
    `SELECT id, name FROM accounts WHERE id = ANY($1::uuid[]) AND status = 'inactive' ORDER BY length(path) DESC LIMIT 1`,
    [pathIds(account.path)],
  );
  return rows[0] ?? null;
}

export function inactiveMessage(account: AccountRef, inactive: { id: string; name: string }): string {
  const own = `account "${account.name}" (${account.id})`;
  const why = inactive.id === account.id ? `${own} is inactive` : `${own} is below inactive account "${inactive.name}" (${inactive.id})`;
  return `${why}: its keys may read but not write until an ancestor account activates it`;
}

/** Register inside /v1 after the auth plugin: its onRequest hook runs once the principal is known. */
export const inactivePlugin = fp(async (app: FastifyInstance, opts: { db: Database }) => {
  // Every write route can answer 403 for this rule: say so in its documented responses.
  app.addHook('onRoute', (route) => {
    const methods = [route.method].flat();
    if (methods.every((m) => READS.has(m)) || route.config?.allowInactive) return;
    const schema = (route.schema ??= {}) as { response?: Record<string | number, unknown> };
    if (schema.response && !(403 in schema.response)) schema.response[403] = Type.Ref('Error');
  });
  app.addHook('onRequest', async (request) => {
    const principal = request.principal;
    if (!principal || READS.has(request.method) || request.routeOptions.config?.allowInactive) return;
    const inactive = await inactiveAccountOver(opts.db, principal.account);
    if (inactive) throw new Forbidden(inactiveMessage(principal.account, inactive));
  });
});
