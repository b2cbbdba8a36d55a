// Idempotency-Key on POST: a replay of the same request returns the first response; a different body is 409.
import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Database } from '../db/database.ts';
import { Conflict, InvalidInput } from '../domain/errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    idempotency: { accountId: string; key: string } | null;
  }
}

function requestHash(method: string, url: string, body: unknown): string {
  return crypto
    .createHash('sha256')
    .update(`${method} ${url}\n${JSON.stringify(body ?? null)}`)
    .digest('hex');
}

export const idempotencyPlugin = fp(async (app: FastifyInstance, opts: { db: Database }) => {
  const { db } = opts;
  app.decorateRequest('idempotency', null);

  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST' || !request.principal) return;
    const raw = request.headers['idempotency-key'];
    if (raw === undefined) return;
    const key = Array.isArray(raw) ? raw[0] : raw;
    if (!key || key.length > 255) throw new InvalidInput('Idempotency-Key', 'must be 1 to 255 characters');
    const accountId = request.principal.account.id;
    const hash = requestHash(request.method, request.url, request.body);
    const inserted = await db.query(
      `INSERT INTO idempotency_keys (account_id, key, method, path, request_hash)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account_id, key) DO NOTHING RETURNING key`,
      [accountId, key, request.method, request.url, hash],
    );
    if (inserted.length > 0) {
      request.idempotency = { accountId, key };
      return;
    }
    const [first] = await db.query<{ request_hash: string; status_code: number | null; response_body: string | null }>(
      `SELECT request_hash, status_code, response_body FROM idempotency_keys WHERE account_id = $1 AND key = $2`,
      [accountId, key],
    );
    if (!first) throw new Conflict('Idempotency-Key is being reused concurrently; retry');
    if (first.request_hash !== hash) {
      throw new Conflict('Idempotency-Key was already used with a different request');
    }
    if (first.status_code === null) throw new Conflict('a request with this Idempotency-Key is still in progress');
    reply.header('idempotent-replayed', 'true');
    reply.header('content-type', 'application/json; charset=utf-8');
    return reply.code(first.status_code).send(first.response_body ?? '');
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const record = request.idempotency;
    if (!record) return payload;
    request.idempotency = null;
    if (reply.statusCode >= 500) {
      // A server failure is not a result: let the client retry with the same key.
      await db.query(`DELETE FROM idempotency_keys WHERE account_id = $1 AND key = $2`, [record.accountId, record.key]);
    } else {
      const body = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : '';
      await db.query(
        `UPDATE idempotency_keys SET status_code = $3, response_body = $4 WHERE account_id = $1 AND key = $2`,
        [record.accountId, record.key, reply.statusCode, body],
      );
    }
    return payload;
  });
});
