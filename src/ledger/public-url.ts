// The origin clients reach this server at, for links such as a certificate's url and pdf_url.
import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import { isSecure } from '../http/transport.ts';

/** CANOPY_PUBLIC_URL when set (the reliable answer behind proxies), else the request's protocol and Host. */
export function publicBaseUrl(config: Pick<Config, 'publicUrl'>, request: FastifyRequest): string {
  if (config.publicUrl) return config.publicUrl.replace(/\/+$/, '');
  const protocol = isSecure(request) ? 'https' : request.protocol;
  return `${protocol}://${request.host}`;
}
