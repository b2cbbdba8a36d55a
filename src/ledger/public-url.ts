// The origin clients reach this server at, for links such as a certificate's url and pdf_url, a password
// link, or a list's Link header. Never the request's Host header: anyone can send any Host.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** publicBaseUrl with this app's configuration (the pagination Link header uses it). */
    publicBaseUrl(request: FastifyRequest): string;
  }
}

export type PublicUrlConfig = Pick<Config, 'publicUrl' | 'host' | 'port' | 'tlsCert'>;

/** The address the server listens on (or is configured to), as a URL: 0.0.0.0 and :: read as localhost. */
export function listeningBaseUrl(config: Omit<PublicUrlConfig, 'publicUrl'>, address: AddressInfo | string | null): string {
  let host = config.host;
  let port = config.port;
  if (address && typeof address === 'object') {
    host = address.address;
    port = address.port;
  }
  if (host === '' || host === '0.0.0.0' || host === '::') host = 'localhost';
  if (net.isIPv6(host)) host = `[${host}]`;
  return `${config.tlsCert ? 'https' : 'http'}://${host}:${port}`;
}

/** CANOPY_PUBLIC_URL when set (what to set behind a proxy), else the listening address. */
export function publicBaseUrl(config: PublicUrlConfig, request: FastifyRequest): string {
  if (config.publicUrl) return config.publicUrl.replace(/\/+$/, '');
  return listeningBaseUrl(config, request.server.server.address());
}
