// Idempotency-Key on POST: the effect and its recorded response commit in one database transaction, so a
// retry replays the first answer and never repeats or loses the effect, whatever crashed in between.
import crypto from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AmbientTransaction, withinTransaction } from '../db/ambient.ts';
import type { Database, Queryable } from '../db/database.ts';
import { Conflict, InvalidInput } from '../domain/errors.ts';

/** Records answer for 24 hours (as Stripe's do); then the key may be used again. */
export const IDEMPOTENCY_TTL_HOURS = 24;

/** The steps of an idempotent request, for tests that crash between them. */
export type IdempotencyStep = 'claimed' | 'effect-done' | 'recorded' | 'committed';
export type IdempotencyFailpoint = (step: IdempotencyStep, tx: Queryable) => void | Promise<void>;

interface HeldTransaction {
  tx: Queryable;
  /** Commits (true) or rolls back (false); resolves once the database has done it. */
  finish(commit: boolean): Promise<void>;
}

interface Pending {
  held: HeldTransaction;
  ambient: AmbientTransaction;
  accountId: string;
  key: string;
  hash: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    idempotency: Pending | null;
  }
}

class RolledBack extends Error {}

/** Opens a transaction on its own connection (PGlite: the only one) and keeps it open until finish(). */
async function holdTransaction(db: Database): Promise<HeldTransaction> {
  let settle!: (commit: boolean) => void;
  const decided = new Promise<boolean>((resolve) => (settle = resolve));
  let opened!: (tx: Queryable) => void;
  const ready = new Promise<Queryable>((resolve) => (opened = resolve));
  const whole = db.transaction(async (tx) => {
    opened(tx);
    if (!(await decided)) throw new RolledBack('rolled back');
  });
  const tx = await Promise.race([ready, whole.then(() => Promise.reject(new Error('transaction ended before it was used')))]);
  return {
    tx,
    async finish(commit) {
      settle(commit);
      try {
        await whole;
      } catch (error) {
        if (!(error instanceof RolledBack)) throw error;
      }
    },
  };
}

function requestHash(method: string, url: string, body: unknown): string {
  return crypto.createHash('sha256').update(`${method} ${url}\n${JSON.stringify(body ?? null)}`).digest('hex');
}

// Visible ASCII and spaces: a key goes into the store and into logs, so no control characters.
const KEY_TEXT = /^[\x20-\x7e]{1,255}$/;

export function idempotencyKeyOf(request: FastifyRequest): string | null {
  const raw = request.headers['idempotency-key'];
  if (raw === undefined) return null;
  const key = Array.isArray(raw) ? raw[0] : raw;
  if (!key || !KEY_TEXT.test(key)) throw new InvalidInput('Idempotency-Key', 'must be 1 to 255 printable ASCII characters');
  return key;
}

interface StoredResponse {
  request_hash: string;
  status_code: number;
  response_body: string;
  content_type: string;
}

async function replay(reply: FastifyReply, stored: StoredResponse) {
  reply.header('idempotent-replayed', 'true');
  reply.header('content-type', stored.content_type);
  return reply.code(stored.status_code).send(stored.response_body);
}

export interface IdempotencyOptions {
  db: Database;
  clock: () => Date;
  failpoint?: IdempotencyFailpoint;
}

export const idempotencyPlugin = fp(async (app: FastifyInstance, opts: IdempotencyOptions) => {
  const { db, clock, failpoint } = opts;
  app.decorateRequest('idempotency', null);

  // Callback style: the handler must run inside the request transaction's async context.
  app.addHook('preHandler', (request, reply, done) => {
    if (request.method !== 'POST' || !request.principal) return done();
    let key: string | null;
    try {
      key = idempotencyKeyOf(request);
    } catch (error) {
      return done(error as Error);
    }
    if (key === null) return done();
    claim(request, reply, key).then(
      (pending) => {
        if (!pending) return; // replayed or refused: the reply is already on its way
        request.idempotency = pending;
        withinTransaction(pending.ambient, () => done());
      },
      (error: Error) => done(error),
    );
  });

  async function claim(request: FastifyRequest, reply: FastifyReply, key: string): Promise<Pending | null> {
    const accountId = request.principal!.account.id;
    const hash = requestHash(request.method, request.url, request.body);
    const held = await holdTransaction(db);
    try {
      // Held until commit or rollback; a holder that dies (crash, lost connection) releases it.
      const [lock] = await held.tx.query<{ held: boolean }>(`SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS held`, [
        `canopy:idempotency:${accountId}:${key}`,
      ]);
      if (!lock.held) {
        await held.finish(false);
        reply.header('retry-after', '1');
        throw new Conflict('a request with this Idempotency-Key is in progress; retry when it has finished');
      }
      const now = clock();
      const expiredBefore = new Date(now.getTime() - IDEMPOTENCY_TTL_HOURS * 3_600_000);
      const [stored] = await held.tx.query<StoredResponse & { created_at: Date }>(
        `SELECT request_hash, status_code, response_body, content_type, created_at FROM idempotency_keys WHERE account_id = $1 AND key = $2`,
        [accountId, key],
      );
      if (stored && stored.created_at >= expiredBefore) {
        await held.finish(false);
        if (stored.request_hash !== hash) throw new Conflict('Idempotency-Key was already used with a different request');
        await replay(reply, stored);
        return null;
      }
      if (stored) await held.tx.query(`DELETE FROM idempotency_keys WHERE account_id = $1 AND key = $2`, [accountId, key]);
      await held.tx.query(`SAVEPOINT canopy_effect`);
      await failpoint?.('claimed', held.tx);
      return { held, ambient: new AmbientTransaction(held.tx), accountId, key, hash };
    } catch (error) {
      await held.finish(false).catch(() => {});
      throw error;
    }
  }

  app.addHook('onSend', async (request, reply, payload) => {
    const pending = request.idempotency;
    if (!pending) return payload;
    request.idempotency = null;
    await pending.ambient.close();
    const { held } = pending;
    try {
      await failpoint?.('effect-done', held.tx);
      if (reply.statusCode >= 500) {
        // A server failure is not an answer: undo everything, the client retries with the same key.
        await held.finish(false);
        return payload;
      }
      // A refusal keeps no partial effect, but is an answer: it is replayed like a success.
      if (reply.statusCode >= 400) await held.tx.query(`ROLLBACK TO SAVEPOINT canopy_effect`);
      const body = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : '';
      const contentType = String(reply.getHeader('content-type') ?? 'application/json; charset=utf-8');
      await held.tx.query(
        `INSERT INTO idempotency_keys (account_id, key, method, path, request_hash, status_code, response_body, content_type, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [pending.accountId, pending.key, request.method, request.url, pending.hash, reply.statusCode, body, contentType, clock()],
      );
      await failpoint?.('recorded', held.tx);
      await held.finish(true);
    } catch (error) {
      await held.finish(false).catch(() => {});
      request.log.error({ err: error }, 'idempotent request not committed');
      reply.code(500).header('content-type', 'application/json; charset=utf-8');
      return JSON.stringify({ code: 500, error: 'Internal server error: nothing was saved; retry with the same Idempotency-Key' });
    }
    await failpoint?.('committed', held.tx);
    return payload;
  });

  // A request that ends without onSend (aborted, or a hook failed first) must not keep its transaction.
  const release = async (request: FastifyRequest) => {
    const pending = request.idempotency;
    if (!pending) return;
    request.idempotency = null;
    await pending.ambient.close();
    await pending.held.finish(false).catch(() => {});
  };
  app.addHook('onResponse', release);
  app.addHook('onRequestAbort', release);
});

/** Deletes records past their 24 hours; the daily job calls it. */
export async function purgeIdempotencyRecords(db: Queryable, now: Date): Promise<number> {
  const rows = await db.query(`DELETE FROM idempotency_keys WHERE created_at < $1 RETURNING key`, [
    new Date(now.getTime() - IDEMPOTENCY_TTL_HOURS * 3_600_000),
  ]);
  return rows.length;
}
