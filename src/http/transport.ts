// HTTPS rule: plain HTTP is refused unless it comes from loopback, a TLS-terminating proxy, or is opted in.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

export function isSecure(request: FastifyRequest): boolean {
  if ((request.raw.socket as { encrypted?: boolean }).encrypted) return true;
  const forwarded = request.headers['x-forwarded-proto'];
  const proto = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim().toLowerCase();
  return proto === 'https';
}

export const transportPlugin = fp(async (app: FastifyInstance, opts: { allowHttp: boolean }) => {
  app.addHook('onRequest', async (request, reply) => {
    if (opts.allowHttp || request.url === '/healthz' || isSecure(request) || isLoopback(request.raw.socket.remoteAddress)) {
      return;
    }
    return reply.code(400).send({
      code: 400,
      error: 'HTTPS is required: call this server over https:// (plain HTTP is accepted only from loopback or with CANOPY_ALLOW_HTTP=1)',
    });
  });
});
