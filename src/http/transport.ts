// HTTPS rule: plain HTTP is refused unless it comes from loopback, a trusted TLS-terminating proxy, or is opted in.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/**
 * TLS on this socket, or X-Forwarded-Proto: https from a proxy in CANOPY_TRUSTED_PROXIES (Fastify's
 * trustProxy reads the header only when the socket's peer is one of them; from anyone else it is ignored).
 */
export function isSecure(request: FastifyRequest): boolean {
  return request.protocol === 'https';
}

export const transportPlugin = fp(async (app: FastifyInstance, opts: { allowHttp: boolean }) => {
  app.addHook('onRequest', async (request, reply) => {
    // request.ip is the client: behind a trusted proxy, the address the proxy forwarded for.
    if (opts.allowHttp || request.url === '/healthz' || isSecure(request) || isLoopback(request.ip)) {
      return;
    }
    return reply.code(400).send({
      code: 400,
      error: 'HTTPS is required: call this server over https:// (plain HTTP is accepted only from loopback, from a proxy in CANOPY_TRUSTED_PROXIES sending X-Forwarded-Proto: https, or with CANOPY_ALLOW_HTTP=1)',
    });
  });
});
