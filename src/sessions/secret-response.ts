// Routes whose response holds a secret shown once (an API key, a set-password link) refuse Idempotency-Key:
// a replayable response would have to be stored, and secrets are never kept in plain text.
import type { FastifyRequest } from 'fastify';
import { InvalidInput } from '../domain/errors.ts';

export async function refuseIdempotencyKey(request: FastifyRequest): Promise<void> {
  if (request.headers['idempotency-key'] !== undefined) {
    throw new InvalidInput('Idempotency-Key', 'is not accepted here: the response holds a secret that is shown once and never stored');
  }
}
